// Passkeys, where the phone's browser has WebAuthn: adding one on /settings (her PIN confirms it)
// and signing in with one on /sign-in. The ledger checks every byte; this script only asks the
// phone and carries the answers in the page's own forms. Without JavaScript or WebAuthn both stay
// hidden, and the PIN works as before.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function encode(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decode(text) {
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  /** POSTs a form's fields to `path` and answers its JSON, or throws its error text. */
  function post(path, fields) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || ""); }
        return body;
      });
    });
  }

  /** Shows why it failed as the page's error: the portal's words, or, when the phone refused
   *  or gave up, the form's own. */
  function fail(form, error) {
    var text = error instanceof DOMException || !error.message ? form.dataset.failed : error.message;
    var box = document.getElementById("passkey-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "passkey-error";
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = text;
  }

  // Adding one: ask the ledger for a challenge, the phone for a key, then send the form.
  var add = document.getElementById("passkey-form");
  if (add) {
    var ready = false;
    add.addEventListener("submit", function (event) {
      if (ready) { return; }
      event.preventDefault();
      post("/settings/passkey/begin", { csrf: add.elements.csrf.value })
        .then(function (begun) {
          return navigator.credentials.create({
            publicKey: {
              challenge: decode(begun.challenge),
              rp: { id: begun.rp_id, name: begun.rp_name },
              user: { id: decode(begun.user_id), name: begun.user_name, displayName: begun.user_name },
              pubKeyCredParams: [{ type: "public-key", alg: -7 }],
              authenticatorSelection: { userVerification: "required", residentKey: "preferred" },
              excludeCredentials: begun.exclude.map(function (id) { return { type: "public-key", id: decode(id) }; }),
              attestation: "none",
              timeout: 120000,
            },
          });
        })
        .then(function (credential) {
          add.elements.client_data_json.value = encode(credential.response.clientDataJSON);
          add.elements.authenticator_data.value = encode(credential.response.getAuthenticatorData());
          ready = true;
          add.submit();
        })
        .catch(function (error) { fail(add, error); });
    });
    document.getElementById("passkey").hidden = false;
  }

  // Signing in with one: the worker number typed above, a challenge, the phone's signature.
  var signIn = document.getElementById("passkey-sign-in-form");
  if (signIn) {
    var worker = document.getElementById("worker_id");
    var signed = false;
    signIn.addEventListener("submit", function (event) {
      if (signed) { return; }
      event.preventDefault();
      var workerId = worker.value.trim().toUpperCase();
      post("/sign-in/passkey/challenge", { csrf: signIn.elements.csrf.value, worker_id: workerId })
        .then(function (asked) {
          return navigator.credentials.get({
            publicKey: {
              challenge: decode(asked.challenge),
              rpId: asked.rp_id,
              allowCredentials: asked.credential_ids.map(function (id) { return { type: "public-key", id: decode(id) }; }),
              userVerification: "required",
              timeout: 120000,
            },
          });
        })
        .then(function (assertion) {
          signIn.elements.worker_id.value = workerId;
          signIn.elements.credential_id.value = encode(assertion.rawId);
          signIn.elements.client_data_json.value = encode(assertion.response.clientDataJSON);
          signIn.elements.authenticator_data.value = encode(assertion.response.authenticatorData);
          signIn.elements.signature.value = encode(assertion.response.signature);
          signed = true;
          signIn.submit();
        })
        .catch(function (error) { fail(signIn, error); });
    });
    document.getElementById("passkey-sign-in").hidden = false;
  }
})();
