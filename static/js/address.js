// Address forms: when the country changes, lay the fields out for it at once (order, names,
// which are required, the postal code example), from the data the server lays the form out
// with (jomso/addresses.py, in the page as #address-layouts). Without this script the
// "Show the fields for this country" button does the same with a reload.
(function () {
  "use strict";
  var source = document.getElementById("address-layouts");
  if (!source) {
    return;
  }
  var data = JSON.parse(source.textContent);

  function labelFor(name, kind, required) {
    var label = data.labels[kind ? name + ":" + kind : name] || data.labels[name] || name;
    return required ? label : data.optional.replace("{label}", label);
  }

  function setHint(part, example) {
    var input = part.querySelector("input");
    var hint = part.querySelector(".hint");
    if (!example) {
      if (hint) {
        hint.remove();
      }
    } else {
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "hint";
        hint.id = input.id + "-hint";
        var error = part.querySelector(".error");
        part.querySelector(".field").insertBefore(hint, error);
      }
      hint.textContent = data.example.replace("{example}", example);
    }
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== input.id + "-hint";
    });
    if (example) {
      ids.unshift(input.id + "-hint");
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function layOut(box, country) {
    var spec = (data.countries[country] || "1|2|C|S|Z;1C;;;;").split(";");
    var rows = spec[0].split("|");
    var required = spec[1];
    var kinds = { city: spec[2], region: spec[3], postal_code: spec[4] };
    var parts = {};
    box.querySelectorAll("[data-address-part]").forEach(function (part) {
      parts[part.getAttribute("data-address-part")] = part;
    });
    // Take every part out (with the rows holding them), then put them back in order.
    box.querySelectorAll(".form-row").forEach(function (row) {
      row.remove();
    });
    var used = {};
    rows.forEach(function (letters) {
      var target = box;
      if (letters.length > 1) {
        target = document.createElement("div");
        target.className = "form-row";
        box.appendChild(target);
      }
      letters.split("").forEach(function (letter) {
        var name = data.letters[letter];
        var part = parts[name];
        used[name] = true;
        part.hidden = false;
        target.appendChild(part);
      });
    });
    Object.keys(parts).forEach(function (name) {
      var part = parts[name];
      var letter = Object.keys(data.letters).filter(function (l) {
        return data.letters[l] === name;
      })[0];
      var isRequired = required.indexOf(letter) !== -1;
      part.querySelector("label").textContent = labelFor(name, kinds[name], isRequired);
      part.querySelector("input").required = isRequired;
      if (name === "postal_code") {
        setHint(part, spec[5]);
      }
      if (!used[name]) {
        part.hidden = true;
        box.appendChild(part);
      }
    });
  }

  document.querySelectorAll("[data-address-fields]").forEach(function (box) {
    var select = box.querySelector("select");
    var update = box.querySelector("[data-address-update]");
    if (!select) {
      return;
    }
    if (update) {
      update.hidden = true;
    }
    select.addEventListener("change", function () {
      layOut(box, select.value);
    });
  });
})();
