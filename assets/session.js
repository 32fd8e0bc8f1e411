/* A request answered 401 means the session has ended (signed out elsewhere, timed out): go to the sign-in page,
   and come back here after it. Dash's own requests (callbacks, layout) go through fetch. */
(function () {
  const originalFetch = window.fetch;
  window.fetch = function () {
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.status === 401) {
        const here = window.location.pathname + window.location.search;
        response.clone().json().catch(() => ({})).then(function (body) {
          const why = body && body.reason ? "&reason=" + encodeURIComponent(body.reason) : "";
          window.location.assign("/login?next=" + encodeURIComponent(here) + why);
        });
      }
      return response;
    });
  };
})();
