// After htmx swaps a step into <main>, move focus where a screen reader user needs it: the error
// summary when there are errors, otherwise the new heading. htmx itself sets document.title.
document.addEventListener("htmx:after:swap", function (event) {
  var main = document.getElementById("main");
  if (!main || !main.contains(event.target) && event.target !== main) return;
  var target = main.querySelector(".error-summary") || main.querySelector("h1");
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
});

// A Print button (the key slip) works only with JavaScript, so it is hidden until this script shows it.
function showPrintButtons() {
  document.querySelectorAll("[data-print][hidden]").forEach(function (button) { button.hidden = false; });
}
document.addEventListener("DOMContentLoaded", showPrintButtons);
document.addEventListener("htmx:after:swap", showPrintButtons);
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
