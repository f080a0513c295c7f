/* The newsletter sign-up forms (form[data-kb-subscribe]): post with fetch and answer inline in the
   form's aria-live status line. Without JavaScript the same form posts and the API redirects to a
   Dutch result page. */
(function () {
  "use strict";
  function setup(form) {
    var status = form.querySelector(".kb-subscribe__status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.URLSearchParams) { return; }
      event.preventDefault();
      var fields = form.querySelectorAll("[aria-invalid]");
      for (var i = 0; i < fields.length; i++) { fields[i].removeAttribute("aria-invalid"); }
      status.textContent = "Even geduld…";
      status.className = "kb-subscribe__status";
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        headers: {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return {message: ""}; }).then(function (body) {
          return {ok: response.ok, body: body};
        });
      }).then(function (answer) {
        status.textContent = answer.body.message || (answer.ok ? "Bedankt!" : "Inschrijven lukte niet. Probeer het later opnieuw.");
        status.className = "kb-subscribe__status " + (answer.ok ? "kb-subscribe__status--ok" : "kb-subscribe__status--error");
        if (answer.ok) {
          form.reset();
        } else if (answer.body.field) {
          var field = form.querySelector("[name='" + answer.body.field + "']");
          if (field && field.type !== "hidden") { field.setAttribute("aria-invalid", "true"); field.focus(); }
        }
      }).catch(function () {
        status.textContent = "Inschrijven lukte niet: geen verbinding. Probeer het later opnieuw.";
        status.className = "kb-subscribe__status kb-subscribe__status--error";
      }).then(function () { button.disabled = false; });
    });
  }
  var forms = document.querySelectorAll("form[data-kb-subscribe]");
  for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
})();
