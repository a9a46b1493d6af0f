// The product page's variant picker, as an enhancement: without this script the form's option
// controls are posted and the server resolves the variant (and ?option1=... shows one). With
// it, changing an option shows that variant's price, compare-at price, stock, SKU, picture and
// add button in place, from the JSON the page embeds (#variant-data): no request. Each value
// is marked "(sold out)" or "(not available)" as combined with the other options chosen.
(function () {
  "use strict";
  var source = document.getElementById("variant-data");
  var box = document.getElementById("variant-options");
  if (!source || !box || !window.JSON) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var words = data.words;
  var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
  var byId = function (id) { return document.getElementById(id); };
  var button = byId("add-to-cart");
  var quantity = button && button.form ? button.form.querySelector("input[name=quantity]") : null;

  function find(values) {
    for (var i = 0; i < data.variants.length; i += 1) {
      var variant = data.variants[i];
      var same = true;
      for (var j = 0; j < values.length; j += 1) {
        if (variant.values[j] !== values[j]) { same = false; break; }
      }
      if (same) { return variant; }
    }
    return null;
  }

  function chosen() {
    return selects.map(function (select) { return select.value; });
  }

  function query() {
    return selects.map(function (select) {
      return encodeURIComponent(select.name) + "=" + encodeURIComponent(select.value);
    }).join("&");
  }

  // The "email me when it is back" form is for the variant the page was rendered for: shown
  // only while that one is chosen; another sold-out variant gets a link to its own page.
  var rendered = chosen().join("\u0000");
  var restockForm = byId("restock-form");
  var restockLink = byId("restock-link");

  function showRestock(variant, values) {
    var same = values.join("\u0000") === rendered;
    if (restockForm) { restockForm.hidden = !same; }
    if (restockLink) {
      var wanted = Boolean(variant) && variant.max <= 0 && !(same && restockForm);
      restockLink.hidden = !wanted;
      restockLink.querySelector("a").href = window.location.pathname + "?" + query() + "#restock-form";
    }
  }

  // Each value's label with its state beside the other options' chosen values.
  function markValues(values) {
    selects.forEach(function (select, index) {
      Array.prototype.forEach.call(select.options, function (option) {
        var other = values.slice();
        other[index] = option.value;
        var variant = find(other);
        var note = !variant ? words.unsold : (variant.max > 0 ? "" : words.sold_out);
        option.textContent = option.value + (note ? " " + note : "");
      });
    });
  }

  function setMessage(text) {
    var message = byId("variant-error");
    if (!text) {
      if (message) { message.remove(); }
      box.classList.remove("has-error");
      selects.forEach(function (select) {
        select.removeAttribute("aria-invalid");
        select.removeAttribute("aria-describedby");
      });
      return;
    }
    if (!message) {
      message = document.createElement("p");
      message.className = "error";
      message.id = "variant-error";
      message.setAttribute("role", "status");
      box.appendChild(message);
    }
    message.textContent = text;
    box.classList.add("has-error");
  }

  function show() {
    var values = chosen();
    var variant = find(values);
    markValues(values);
    showRestock(variant, values);
    var stock = byId("variant-stock");
    var label = stock ? stock.querySelector(".stock") : null;
    if (!variant) {
      setMessage(words.not_sold);
      if (label) {
        label.className = "stock stock-out";
        label.textContent = words.unavailable_button;
      }
      if (button) {
        button.disabled = true;
        button.textContent = words.unavailable_button;
      }
      return;
    }
    setMessage("");
    byId("variant-price-now").textContent = variant.price;
    var compare = byId("variant-compare-at");
    if (compare) {
      compare.hidden = !variant.compare_at;
      byId("variant-compare-at-amount").textContent = variant.compare_at;
    }
    if (label) {
      label.className = "stock " + variant.stock_class;
      label.textContent = variant.stock_label;
    }
    var sku = byId("variant-sku");
    if (sku) { sku.textContent = variant.sku; }
    if (button) {
      button.disabled = variant.max <= 0;
      button.textContent = variant.max > 0 ? words.add : words.sold_out_button;
    }
    if (quantity && variant.max > 0) {
      quantity.max = variant.max;
    }
    var picture = byId("main-picture");
    if (picture && variant.image) {
      picture.src = variant.image;
      picture.alt = variant.alt;
      var large = byId("main-picture-link");
      if (large) { large.href = variant.image; }
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(window.history.state, "", window.location.pathname + "?" + query());
    }
  }

  selects.forEach(function (select) {
    select.addEventListener("change", show);
  });
  markValues(chosen());
})();
