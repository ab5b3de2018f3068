/* The project's own script: small keyboard and touch helpers, no framework. Served from static/ (the
   Content-Security-Policy allows this server's scripts only, no inline ones). */
(function () {
  "use strict";
  // A check marked data-enter-saves (the daily observation's "carried values are still true"): Enter there
  // checks it and saves the form with its first button ("Save and next"), as Enter in a text field would.
  // Browsers do not submit a form on Enter in a checkbox, which cost the keyboard round a trip of Tab stops
  // to the buttons (issue 28, 9).
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !box.matches || !box.matches("input[type=checkbox][data-enter-saves]")) {
      return;
    }
    var form = box.form;
    var button = form && form.querySelector("[type=submit]");
    if (!button) {
      return;
    }
    event.preventDefault();
    box.checked = true;
    form.requestSubmit(button);
  });
})();
