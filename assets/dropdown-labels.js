// Dash 4's dcc.Dropdown names its button after the chosen value only, and takes keyboard focus on a
// hidden input marked aria-hidden: a screen reader user tabbing to it hears nothing. Tie both to the
// page's <label for=...> so the control announces its purpose and its value ("Period, 2026-Q3").
(function () {
  function labelDropdowns() {
    document.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      var label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (!label) return;
      if (!label.id) label.id = button.id + "-label";
      var names = label.id + " " + button.id + "-value";
      if (button.getAttribute("aria-labelledby") !== names) button.setAttribute("aria-labelledby", names);
      var focusTarget = button.parentElement && button.parentElement.querySelector("input.dash-dropdown-focus-target");
      if (focusTarget && focusTarget.getAttribute("aria-labelledby") !== names) {
        focusTarget.removeAttribute("aria-hidden");
        focusTarget.setAttribute("aria-labelledby", names);
      }
    });
  }
  new MutationObserver(labelDropdowns).observe(document.documentElement, {childList: true, subtree: true});
})();
