// app.js: focus after an htmx swap; a form's busy state and failed requests (issue 13 item 5); the typing in
// #main kept across the language link and a sign-in after the session ended (items 1, 4), in this tab's
// sessionStorage only, never passwords, hidden or data-private fields.
(function () {
  var d = document, S = sessionStorage, K = "homeroom:drafts";
  var here = function () { return location.pathname + location.search; };
  var read = function () { try { return JSON.parse(S.getItem(K)) || {}; } catch (e) { return {}; } };
  var write = function (v) { try { S.setItem(K, JSON.stringify(v)); } catch (e) {} };
  var each = function (f) {
    d.querySelectorAll("#main form [name]").forEach(function (i) {
      if (!i.disabled && i.name !== "_csrf_token" && !i.hasAttribute("data-private") &&
          !/^(password|hidden|submit|button|file)$/.test(i.type)) f(i, /^(radio|checkbox)$/.test(i.type));
    });
  };
  // Whose typing it is: the page's mark of the signed-in account ("" signed out), so a draft left in a shared
  // tab (a request that failed, a session that ended) never fills in the form of someone else who signs in.
  var who = function () { return d.body.getAttribute("data-who") || ""; };
  // A checkbox is kept ticked or not by name and value; a radio group by the value chosen; the rest by value.
  var key = function (i) { return i.type === "checkbox" ? i.name + "\u0000" + i.value : i.name; };
  var save = function () {
    var fields = {}, all = read();
    each(function (i, box) {
      if (i.type === "checkbox") fields[key(i)] = i.checked ? "1" : "";
      else if (box ? i.checked : i.value) fields[i.name] = i.value;
    });
    all[here()] = {who: who(), fields: fields};
    write(all);
  };
  var unchanged = function (i) {  // as the page came: what the server filled in wins over a draft
    if (i.tagName !== "SELECT") return i.value === i.defaultValue;
    var first = Array.prototype.find.call(i.options, function (o) { return o.defaultSelected; }) || i.options[0];
    return !first || i.value === first.value;
  };
  var forget = function () { var all = read(); delete all[here()]; write(all); };
  var ctxForm = function (e) {
    var s = e.detail && e.detail.ctx && e.detail.ctx.sourceElement;
    return s && s.closest && s.closest("#main form");
  };
  var status = function (text) { var s = d.getElementById("request-status"); if (s) s.textContent = text || ""; };

  d.addEventListener("DOMContentLoaded", function () {
    // Without JavaScript the language buttons send the page's own form (app/web/typed_draft.py); with it they
    // send their own, and the typing is kept here.
    d.querySelectorAll(".language-switch button[form]").forEach(function (b) {
      b.removeAttribute("form"); b.removeAttribute("formaction"); b.name = "language";
    });
    var draft = read()[here()];
    if (!draft) return;
    forget();
    if (draft.who !== who() || !draft.fields) return;
    var fields = draft.fields;
    each(function (i, box) {
      if (!(key(i) in fields)) return;
      if (i.type === "checkbox") i.checked = fields[key(i)] === "1";
      else if (box) i.checked = i.value === fields[i.name];
      else if (unchanged(i)) i.value = fields[i.name];
    });
  });
  d.addEventListener("submit", function (e) {
    if (!e.target.classList.contains("language-switch")) return;
    e.target.elements.next.value = here();
    save();
    // The errors the page shows go with the switch, so the page shows them again in the other language.
    e.target.querySelectorAll('input[name="_shown_error"]').forEach(function (i) { i.remove(); });
    d.querySelectorAll('#main input[name="_shown_error"]').forEach(function (i) { e.target.appendChild(i.cloneNode()); });
  });
  // A form sent with htmx is busy until its answer comes: a second tap is dropped before htmx sees it.
  window.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("hx-post")) return;
    if (form.getAttribute("aria-busy")) { e.preventDefault(); e.stopImmediatePropagation(); return; }
    form.setAttribute("aria-busy", "true");
    d.getElementById("request-problem").hidden = true;
    status(d.getElementById("request-status").getAttribute("data-sending"));
    save();
  }, true);
  d.addEventListener("htmx:after:request", function (e) {
    var r = e.detail.ctx.response, to = r && r.headers.get("HX-Redirect");
    if (ctxForm(e) && !(to && to.indexOf("session-ended") > 0)) forget();
  });
  d.addEventListener("htmx:finally:request", function (e) {
    var form = ctxForm(e);
    if (form) form.removeAttribute("aria-busy");
    status();
  });
  // Offline, or no answer within htmx's defaultTimeout (the page's htmx-config): say so; the typing stays.
  d.addEventListener("htmx:error", function (e) {
    var r = e.detail && e.detail.ctx && e.detail.ctx.response, p = d.getElementById("request-problem");
    if (r && r.status || !p) return;
    p.hidden = false;
    p.focus();
  });
  // After a swap, focus goes where a screen reader needs it: the error summary, else the new heading.
  d.addEventListener("htmx:after:swap", function (e) {
    var main = d.getElementById("main");
    if (!main || !main.contains(e.target)) return;
    // A step that started a new session (an activation key accepted, a password checked) came with a new CSRF
    // token in its form: the forms outside the swapped part (the language switcher, Log Out) take it too, or
    // they would answer "This form has expired" (a tester's find).
    var fresh = main.querySelector('input[name="_csrf_token"]');
    if (fresh) d.querySelectorAll('input[name="_csrf_token"]').forEach(function (i) { i.value = fresh.value; });
    var t = main.querySelector(".error-summary") || main.querySelector("h1");
    if (t) { if (!t.hasAttribute("tabindex")) t.setAttribute("tabindex", "-1"); t.focus(); }
  });
})();
