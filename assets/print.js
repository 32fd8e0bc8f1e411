/* The "Print" buttons: a named clientside function (no inline script, so the CSP stays hash-only). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  impactPrint: {
    print: function (clicks) {
      if (clicks) {
        window.print();
      }
      return "";
    }
  }
});
