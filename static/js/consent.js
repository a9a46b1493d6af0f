// Cookie banner: send the choice without reloading the page. Without this script the banner
// is a plain form and works the same, with a reload.
(function () {
  "use strict";
  var banner = document.querySelector("[data-consent-banner]");
  var form = banner && banner.querySelector("form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || form.dataset.sending) {
      return;
    }
    event.preventDefault();
    form.dataset.sending = "1";
    var data = new FormData(form);
    data.set(button.name, button.value);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("consent not saved");
        }
        banner.remove();
        var main = document.getElementById("main");
        if (main) {
          main.focus({ preventScroll: true });
        }
      })
      .catch(function () {
        // Let the browser send the form itself: the server shows what went wrong.
        form.requestSubmit(button);
      });
  });
})();
