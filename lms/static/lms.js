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
})();
