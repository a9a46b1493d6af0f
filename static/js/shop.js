// Small enhancements for every storefront page; each page works the same without them.
(function () {
  "use strict";
  // The phone header's search button shows the search field (a checkbox, no script needed):
  // with a script, the cursor goes into the field at once, so the keyboard opens too.
  var toggle = document.getElementById("search-toggle");
  var field = document.getElementById("site-search");
  if (toggle && field) {
    toggle.addEventListener("change", function () {
      if (toggle.checked) {
        field.focus();
      }
    });
  }
  // A document to print (packing slips) has a Print button, hidden until this script can
  // print; without it the page says to print with the browser.
  document.querySelectorAll("button.js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
