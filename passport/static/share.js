/* The share page's two buttons, added by script (progressive enhancement: without it the
   link stays selectable in its field and the page prints from the browser's menu).
   - [data-copy="ID"] copies the value of the field #ID and says so in #ID-status;
   - [data-print] prints the page (print.css keeps the QR code at a size scanners read). */
(function () {
  "use strict";

  function say(id, text) {
    var status = document.getElementById(id + "-status");
    if (status) { status.textContent = text; }
  }

  function copyFallback(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var field = document.getElementById(id);
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say(id, button.getAttribute("data-copied")); };
      var failed = function () {
        if (copyFallback(field)) { done(); } else { say(id, button.getAttribute("data-failed")); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
