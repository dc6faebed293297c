// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The header's "Menu" on a phone (a <details>, usable without this): Escape closes it (focus
  // inside goes back to its summary), and so does a click or tap anywhere else.
  var menu = document.querySelector("details.site-menu");
  if (menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        var inside = menu.contains(document.activeElement);
        menu.open = false;
        if (inside) { menu.querySelector("summary").focus(); }
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  }
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
  // Attendance: when focus enters a learner's row, the whole row comes into view above the
  // sticky Save bar (the CSS scroll margins cover one line of buttons; on a phone a row wraps).
  var saveBar = document.querySelector(".save-bar");
  document.querySelectorAll(".attendance-list").forEach(function (list) {
    if (!saveBar) { return; }
    list.addEventListener("focusin", function (event) {
      var row = event.target.closest("li");
      if (!row) { return; }
      var box = row.getBoundingClientRect();
      var covered = box.bottom - saveBar.getBoundingClientRect().top;
      if (covered > 0) { window.scrollBy(0, Math.min(covered, Math.max(box.top, 0))); }
    });
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
  // A quiz sent with questions unanswered: ask first (the server asks too, without this).
  // A question is answered when any of its fields is: the server's rule.
  document.querySelectorAll("form.quiz-form[data-confirm-unanswered]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "confirm_unanswered") { return; }
      var blank = [];
      form.querySelectorAll("fieldset.question").forEach(function (question) {
        var answered = Array.prototype.some.call(
          question.querySelectorAll("input, select, textarea"),
          function (field) {
            if (field.type === "radio" || field.type === "checkbox") { return field.checked; }
            return field.value.trim() !== "";
          }
        );
        if (!answered) { blank.push(question); }
      });
      if (!blank.length) { return; }
      var names = blank.map(function (question) {
        var number = question.querySelector(".q-number");
        return number ? number.textContent.trim() : "";
      });
      var message = form.getAttribute("data-confirm-unanswered").replace("{questions}", names.join(", "));
      if (window.confirm(message)) {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirm_unanswered";
        confirmed.value = "1";
        form.appendChild(confirmed);
        return;
      }
      event.preventDefault();
      blank.forEach(function (question) { question.classList.add("question-unanswered"); });
      var first = blank[0].querySelector("input, select, textarea");
      blank[0].scrollIntoView({ block: "start" });
      if (first) { first.focus(); }
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
  // The room's projector page: the check-in count follows in place, every few seconds
  // (without JavaScript the page reloads itself). When check-in opens or closes, the page
  // reloads to say so; once it is closed, nothing is asked any more.
  var count = document.querySelector("[data-checkin-count]");
  var screen = count && count.closest("[data-checkin-state]");
  if (screen && window.fetch) {
    var every = 1000 * (parseInt(count.getAttribute("data-poll-seconds"), 10) || 5);
    var ask = function () {
      window.fetch(count.getAttribute("data-checkin-count"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "error"  // signed out: the sign-in page is no count
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && data.state !== screen.getAttribute("data-checkin-state")) {
          window.location.reload();
          return;
        }
        if (data && count.textContent !== data.text) { count.textContent = data.text; }
        window.setTimeout(ask, every);
      }).catch(function () { window.setTimeout(ask, every); });
    };
    window.setTimeout(ask, every);
  }
})();
