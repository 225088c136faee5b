// Loaded on signed-in pages only (templates/layouts/page.html).
// Issue 13 item 4: warn before the idle limit ends a signed-in session, and offer to stay.
(function () {
  var warning = document.getElementById("idle-warning");
  if (!warning) return;
  var limit = parseInt(warning.getAttribute("data-idle-seconds"), 10) * 1000;
  var ahead = parseInt(warning.getAttribute("data-warn-seconds"), 10) * 1000;
  // The server notes activity at most once a minute: count the limit from a minute earlier, to be safe.
  var margin = 60 * 1000, warnTimer, endTimer;
  var before = warning.querySelector(".idle-before"), after = warning.querySelector(".idle-after");

  function start() {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    warning.hidden = true; before.hidden = false; after.hidden = true;
    warnTimer = setTimeout(function () { warning.hidden = false; }, limit - margin - ahead);
    endTimer = setTimeout(function () { before.hidden = true; after.hidden = false; warning.hidden = false; },
      limit - margin);
  }

  warning.querySelector("button").addEventListener("click", function () {
    fetch("/session/alive", {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (response.ok) start(); else { before.hidden = true; after.hidden = false; }
    }, function () { /* offline: the warning stays, the parent can try again */ });
  });
  document.addEventListener("htmx:after:request", start);
  start();
})();


// A Print button (the key slip) works only with JavaScript, so it is hidden until this script shows it.
function showPrintButtons() {
  document.querySelectorAll("[data-print][hidden]").forEach(function (button) { button.hidden = false; });
}
document.addEventListener("DOMContentLoaded", showPrintButtons);
document.addEventListener("htmx:after:swap", showPrintButtons);
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
