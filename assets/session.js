/* A request answered 401 means the session has ended (signed out elsewhere, timed out): go to the sign-in page,
   and come back here after it. Dash's own requests (callbacks, layout) go through fetch. */
(function () {
  const originalFetch = window.fetch;
  // Several requests in flight meet the end of a session together; only the one that ended it knows why.
  // Wait a moment for all of them, then leave once, with the reason if any gave one.
  let leaving = null, reason = null;
  function leave() {
    const here = window.location.pathname + window.location.search;
    const why = reason ? "&reason=" + encodeURIComponent(reason) : "";
    window.location.assign("/login?next=" + encodeURIComponent(here) + why);
  }
  window.fetch = function () {
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.status === 401) {
        response.clone().json().catch(() => ({})).then(function (body) {
          reason = reason || (body && body.reason) || null;
          leaving = leaving || window.setTimeout(leave, 500);
        });
      }
      return response;
    });
  };
})();
