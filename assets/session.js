/* A request answered 401 means the session has ended (signed out elsewhere, timed out): go to the sign-in page,
   and come back here after it. A callback answered 429 met the account's limit of callbacks running at once
   (IMPACT_CALLBACKS_PER_ACCOUNT): send it again after the wait the server names, so that a burst is delayed,
   not lost. Dash's own requests (callbacks, layout) go through fetch. */
(function () {
  const originalFetch = window.fetch;
  const CALLBACK_RETRIES = 6;
  const LONGEST_WAIT_MS = 10000;
  // Several requests in flight meet the end of a session together; only the one that ended it knows why.
  // Wait a moment for all of them, then leave once, with the reason if any gave one.
  let leaving = null, reason = null;
  function leave() {
    const here = window.location.pathname + window.location.search;
    const why = reason ? "&reason=" + encodeURIComponent(reason) : "";
    window.location.assign("/login?next=" + encodeURIComponent(here) + why);
  }
  // Dash sends a callback as fetch(address, {method: "POST", body: "<JSON text>"}), the address with a query of
  // its own: it can be sent again as is.
  function isCallback(resource, init) {
    return typeof resource === "string" && !!init && typeof init.body === "string" &&
      new URL(resource, window.location.href).pathname.endsWith("/_dash-update-component");
  }
  // The server's Retry-After (seconds), spread between half and one and a half times it, so that the callbacks
  // refused together do not all come back together.
  function waitMs(response) {
    const seconds = Number(response.headers.get("Retry-After")) || 1;
    return Math.min(LONGEST_WAIT_MS, seconds * 1000) * (0.5 + Math.random());
  }
  function fetchOnce(self, args, attempt) {
    return originalFetch.apply(self, args).then(function (response) {
      if (response.status === 429 && attempt < CALLBACK_RETRIES && isCallback(args[0], args[1])) {
        return new Promise(function (resolve) { window.setTimeout(resolve, waitMs(response)); })
          .then(function () { return fetchOnce(self, args, attempt + 1); });
      }
      if (response.status === 401) {
        response.clone().json().catch(() => ({})).then(function (body) {
          reason = reason || (body && body.reason) || null;
          leaving = leaving || window.setTimeout(leave, 500);
        });
      }
      return response;
    });
  }
  window.fetch = function () {
    return fetchOnce(this, arguments, 0);
  };
})();
