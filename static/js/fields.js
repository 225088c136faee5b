// fields.js, on the pages that have these fields. Issue 13 item 3: a Show button for the SSN typed on a phone
// (a password field until asked, hidden again before the form is sent). Item 9: the activation key's box
// wraps like a paragraph, but Enter still sends the form.
(function () {
  var d = document;
  var reveal = function () { d.querySelectorAll("button.show-secret").forEach(function (b) { b.hidden = false; }); };
  var set = function (b, show) {
    var i = d.getElementById(b.getAttribute("data-for"));
    if (!i) return;
    i.type = show ? "text" : "password";
    b.textContent = b.getAttribute(show ? "data-hide" : "data-show");
    b.setAttribute("aria-pressed", show ? "true" : "false");
  };
  d.addEventListener("DOMContentLoaded", reveal);
  d.addEventListener("htmx:after:swap", reveal);
  d.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.show-secret");
    if (b) set(b, b.getAttribute("aria-pressed") !== "true");
  });
  d.addEventListener("submit", function (e) {
    e.target.querySelectorAll("button.show-secret").forEach(function (b) { set(b, false); });
  }, true);
  d.addEventListener("keydown", function (e) {
    var box = e.target;
    if (e.key !== "Enter" || e.shiftKey || !box.hasAttribute || !box.hasAttribute("data-submit-on-enter")) return;
    e.preventDefault();
    if (box.form) box.form.requestSubmit();
  });
})();
