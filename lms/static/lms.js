// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On narrow screens the module's table of contents starts folded away.
  var toc = document.querySelector("details.toc");
  if (toc && window.matchMedia && window.matchMedia("(max-width: 62rem)").matches) {
    toc.removeAttribute("open");
  }
})();
