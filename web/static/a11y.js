/* Every page: after a save with errors, the focus goes to the first invalid input (the server
 * marks it aria-invalid="true" and ties it to its message with aria-describedby, web/a11y.py),
 * not to the top of the page. A group (radio buttons) passes the focus to its first input. */
(function () {
  "use strict";
  var first = document.querySelector('main [aria-invalid="true"]');
  if (!first) { return; }
  if (!first.matches("input, select, textarea, button")) {
    var inner = first.querySelector("input, select, textarea");
    if (inner) { first = inner; }
  }
  if (first.matches(":disabled")) { return; }
  first.focus();
  if (first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
})();
