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
