/* Braintree Hosted Fields on the checkout page (real credentials only; the demo mode posts a
   test nonce from plain radio buttons). The card number, expiry, CVV and postal code are typed
   into Braintree's iframes; on submit we ask Braintree for a one-time nonce and post it, with
   the device data for fraud checks, as payment_method_nonce and device_data. The card never
   reaches the shop. */
(function () {
  "use strict";
  var form = document.getElementById("checkout-form");
  if (!form || !form.dataset.clientToken || !window.braintree) {
    return;
  }
  var button = document.getElementById("place-order");
  var nonceInput = document.getElementById("payment-method-nonce");
  var deviceInput = document.getElementById("device-data");
  var errorBox = document.getElementById("card-error");
  var hostedFields = null;
  var sending = false;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  button.disabled = true;
  braintree.client.create({ authorization: form.dataset.clientToken }, function (err, client) {
    if (err) {
      showError(form.dataset.unavailable || "The card form could not be loaded. Please reload the page.");
      return;
    }
    braintree.dataCollector.create({ client: client }, function (dcErr, collector) {
      if (!dcErr && collector) {
        deviceInput.value = collector.deviceData;
      }
    });
    braintree.hostedFields.create({
      client: client,
      styles: {
        input: { "font-size": "16px", "font-family": "system-ui, sans-serif", color: "#1c2430" },
        ".invalid": { color: "#b42318" }
      },
      fields: {
        number: { selector: "#card-number", placeholder: "4111 1111 1111 1111" },
        expirationDate: { selector: "#card-expiry", placeholder: "MM / YY" },
        cvv: { selector: "#card-cvv", placeholder: "123" },
        postalCode: { selector: "#card-postal" }
      }
    }, function (hfErr, instance) {
      if (hfErr) {
        showError(form.dataset.unavailable || "The card form could not be loaded. Please reload the page.");
        return;
      }
      hostedFields = instance;
      button.disabled = false;
    });
  });

  form.addEventListener("submit", function (event) {
    if (nonceInput.value) {
      return; // tokenized: let the form go
    }
    event.preventDefault();
    if (!hostedFields || sending) {
      return;
    }
    sending = true;
    button.disabled = true;
    showError("");
    hostedFields.tokenize(function (err, payload) {
      sending = false;
      if (err) {
        button.disabled = false;
        showError(form.dataset.cardInvalid || "Please check the card number, expiry date and security code.");
        return;
      }
      nonceInput.value = payload.nonce;
      form.submit();
    });
  });
}());
