// Passkeys (WebAuthn), loaded only by /account/passkeys and /sign-in/passkey. Progressive enhancement:
// without JavaScript, or without a screen-lock authenticator on this device, the pages say so and the
// password path is untouched. A form marked data-passkey="register" or "sign-in" posts to its action for
// the options (JSON), runs the browser's ceremony, and posts the answer to the sibling /verify route.
(function () {
  "use strict";

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function say(form, message) {
    var status = form.querySelector("[data-passkey-status]");
    status.textContent = message;
  }

  function send(form, url, body, contentType) {
    var token = form.querySelector('input[name="_csrf_token"]');
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"Accept": "application/json", "Content-Type": contentType, "X-CSRFToken": token ? token.value : ""}
    }).then(function (response) {
      // A request that started a session (the first step, signed out) brings that session's CSRF token.
      var renewed = response.headers.get("X-CSRF-Token");
      if (renewed && token) token.value = renewed;
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || form.dataset.failed);
        return data;
      });
    });
  }

  // The browser's credential as JSON (py_webauthn reads the same shape); `fields` name the response's parts.
  function asJSON(credential, fields) {
    var response = {};
    fields.forEach(function (name) { response[name] = toText(credential.response[name]); });
    if (credential.response.getTransports) response.transports = credential.response.getTransports();
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: response,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults()
    };
  }

  function register(form, options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
    return navigator.credentials.create({publicKey: options}).then(function (credential) {
      return asJSON(credential, ["clientDataJSON", "attestationObject"]);
    });
  }

  function authenticate(form, options) {
    options.challenge = toBuffer(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
    return navigator.credentials.get({publicKey: options}).then(function (credential) {
      return asJSON(credential, ["clientDataJSON", "authenticatorData", "signature", "userHandle"]);
    });
  }

  function ceremony(form) {
    var kind = form.dataset.passkey, action = form.getAttribute("action");
    var verify = action.replace(/\/options$/, "/verify");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say(form, form.dataset.working);
      var fields = new URLSearchParams(new FormData(form));
      send(form, action, fields.toString(), "application/x-www-form-urlencoded")
        .then(function (options) { return kind === "register" ? register(form, options) : authenticate(form, options); })
        .then(function (answer) { return send(form, verify, JSON.stringify(answer), "application/json"); })
        .then(function (done) { window.location.assign(done.redirect); })
        .catch(function (error) {
          say(form, error && error.name === "NotAllowedError" ? form.dataset.cancelled : (error.message || form.dataset.failed));
        });
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-passkey]");
    if (!forms.length || !window.PublicKeyCredential || !navigator.credentials) return;
    PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().then(function (available) {
      if (!available) return;
      document.querySelectorAll("[data-passkey-unsupported]").forEach(function (e) { e.hidden = true; });
      forms.forEach(function (form) { form.hidden = false; ceremony(form); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
