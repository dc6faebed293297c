// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On narrow screens the module's table of contents starts folded away.
  var toc = document.querySelector("details.toc");
  if (toc && window.matchMedia && window.matchMedia("(max-width: 62rem)").matches) {
    toc.removeAttribute("open");
  }
  // Print buttons (the certificate) only make sense with JavaScript; they are hidden without.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Copy buttons next to read-only links (set-password links): without JavaScript the field
  // is there to select; with it, one click copies and a status line says so.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!input) { return; }
    button.hidden = false;
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      var done = function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          if (document.execCommand("copy")) { done(); }
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
  // Typing in a long form (a quiz with reflections) counts as activity: at most every few
  // minutes, tell the server, so the idle timeout never signs out someone who is writing.
  document.querySelectorAll("form[data-keepalive]").forEach(function (form) {
    var last = Date.now();
    var token = form.querySelector("input[name=csrf_token]");
    form.addEventListener("input", function () {
      if (!token || !window.fetch || Date.now() - last < 4 * 60 * 1000) { return; }
      last = Date.now();
      window.fetch(form.getAttribute("data-keepalive"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value }
      }).catch(function () { /* offline: the answers stay in the form */ });
    });
  });
})();
