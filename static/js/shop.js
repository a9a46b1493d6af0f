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
  // The checkout's delivery methods: each carries its shipping and total as the server
  // formatted them; picking one shows them at once (without a script, the order is charged
  // the method picked all the same, and its price is beside it).
  document.querySelectorAll("input[name=shipping_method][data-total]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var shipping = document.getElementById("checkout-shipping");
      var label = document.getElementById("checkout-shipping-label");
      var total = document.getElementById("checkout-total");
      var button = document.getElementById("place-order");
      if (shipping) { shipping.textContent = radio.dataset.shipping; }
      if (label) { label.textContent = radio.dataset.name; }
      if (total) { total.textContent = radio.dataset.total; }
      if (button) { button.textContent = radio.dataset.pay; }
      // Its tax lines: the shipping's share of the tax changes with its price.
      var rows = document.querySelector("template[data-tax-rows='" + radio.value + "']");
      var grand = total && total.previousElementSibling;
      if (grand) {
        grand.parentNode.querySelectorAll(".tax-line").forEach(function (row) { row.remove(); });
        if (rows) {
          var fresh = rows.content.cloneNode(true);
          var after = fresh.querySelector(".tax-included") ? total.nextSibling : grand;
          grand.parentNode.insertBefore(fresh, after);
        }
      }
    });
  });
  // The product gallery: each thumbnail links to ?picture=N, which the server shows (no script
  // needed). With a script, a click swaps the main picture in place: no reload, the page stays
  // where it is, and the address still names the picture shown.
  var main = document.getElementById("main-picture");
  var large = document.getElementById("main-picture-link");
  var thumbs = document.querySelectorAll(".gallery .thumbs a[data-src]");
  thumbs.forEach(function (thumb) {
    thumb.addEventListener("click", function (event) {
      if (!main || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
          event.altKey) {
        return; // a new tab or window: let the link do its work
      }
      event.preventDefault();
      main.src = thumb.dataset.src;
      main.alt = thumb.dataset.alt;
      if (large) {
        large.href = thumb.dataset.src;
      }
      thumbs.forEach(function (other) {
        if (other === thumb) {
          other.setAttribute("aria-current", "true");
        } else {
          other.removeAttribute("aria-current");
        }
      });
      if (window.history && window.history.replaceState) {
        window.history.replaceState(window.history.state, "", thumb.href);
      }
    });
  });
})();
