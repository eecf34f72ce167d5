// Progressive enhancement only: every page works without this file.
// A form that is already on its way is not sent twice by a second click or Enter; the
// server refuses duplicates anyway (intake nonces, state-machine checks), this just spares
// the round trip. Going back to the page (bfcache) makes the form usable again.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.dataset.sending === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
  });
  // A status link carries its code in the fragment (never sent to the server): put it in
  // the form, drop it from the address bar and history, and send the form.
  var target = document.querySelector("form[data-fill-from-fragment]");
  if (target && window.location.hash.length > 1) {
    var field = target.elements.namedItem(target.dataset.fillFromFragment);
    if (field) {
      field.value = decodeURIComponent(window.location.hash.slice(1));
      window.history.replaceState(null, "", window.location.pathname);
      target.requestSubmit();
    }
  }
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.removeAttribute("aria-busy");
    });
  });
})();
