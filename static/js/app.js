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

// Issue 13 items 1 and 4: what was typed in the page's form survives a reload the parent did not mean to
// lose it to: the language link at the top, or logging in again after the session ended (the login page
// brings the parent back to the same page). Kept in this tab only (sessionStorage, which logging out
// clears), never passwords, hidden fields or fields marked data-private (SSN, activation key).
var DRAFTS = "homeroom:drafts";

function here() { return location.pathname + location.search; }

function readDrafts() {
  try { return JSON.parse(sessionStorage.getItem(DRAFTS) || "{}"); } catch (e) { return {}; }
}

function writeDrafts(drafts) {
  try {
    if (Object.keys(drafts).length) sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
    else sessionStorage.removeItem(DRAFTS);
  } catch (e) { /* storage full or refused: nothing is kept */ }
}

function keepable(input) {
  return input.name && !input.disabled && input.name !== "_csrf_token" && !input.hasAttribute("data-private") &&
    ["password", "hidden", "submit", "button", "file", "reset"].indexOf(input.type) < 0;
}

function saveDraft(path) {
  var fields = {};
  document.querySelectorAll("#main form").forEach(function (form) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!keepable(input)) return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) fields[input.name] = input.value;
      } else if (input.value) {
        fields[input.name] = input.value;
      }
    });
  });
  var drafts = readDrafts();
  if (Object.keys(fields).length) drafts[path] = fields; else delete drafts[path];
  writeDrafts(drafts);
}

function forgetDraft(path) {
  var drafts = readDrafts();
  if (drafts[path]) { delete drafts[path]; writeDrafts(drafts); }
}

function restoreDraft() {
  var drafts = readDrafts(), fields = drafts[here()];
  if (!fields) return;
  delete drafts[here()];
  writeDrafts(drafts);
  document.querySelectorAll("#main form").forEach(function (form) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!keepable(input) || !(input.name in fields)) return;
      if (input.type === "radio" || input.type === "checkbox") input.checked = input.value === fields[input.name];
      else if (!input.value || input.defaultValue === input.value) input.value = fields[input.name];
    });
  });
}

document.addEventListener("DOMContentLoaded", restoreDraft);

// The language link: back to the page as it is now (htmx may have moved the address), typing kept.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("language-switch")) return;
  var next = form.querySelector('input[name="next"]');
  if (next) next.value = here();
  saveDraft(here());
});

// A form sent with htmx: keep its typing until the answer comes; if the answer is "your session ended"
// (a redirect to the login page), the draft waits for the parent's return to this page.
document.addEventListener("htmx:before:request", function (event) {
  var source = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
  if (source && source.closest && source.closest("#main")) saveDraft(here());
});
document.addEventListener("htmx:after:request", function (event) {
  var ctx = event.detail && event.detail.ctx, response = ctx && ctx.response;
  var redirect = response && response.headers && response.headers.get && response.headers.get("HX-Redirect");
  if (!redirect || redirect.indexOf("notice=session-ended") < 0) forgetDraft(here());
});

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

// Issue 13 item 3: a Show button for a secret typed on a phone (the SSN): the field stays a password field
// until asked, and goes back to hidden before the form is sent.
document.querySelectorAll("button.show-secret").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("data-for"));
  if (!input) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    button.textContent = button.getAttribute(show ? "data-hide" : "data-show");
    button.setAttribute("aria-pressed", show ? "true" : "false");
  });
  if (input.form) input.form.addEventListener("submit", function () {
    input.type = "password";
    button.textContent = button.getAttribute("data-show");
    button.setAttribute("aria-pressed", "false");
  });
});

// Issue 13 item 9: the activation key's box wraps like a paragraph, but Enter still sends the form.
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (event.key !== "Enter" || event.shiftKey || !box.hasAttribute || !box.hasAttribute("data-submit-on-enter")) return;
  event.preventDefault();
  if (box.form) box.form.requestSubmit();
});
