// The evidence of a report and the papers of an appeal: where JavaScript runs, the file is hashed
// here, on her phone, and only its SHA-256 is sent; the file itself never leaves the phone.
// Without JavaScript the form sends the file and the portal hashes it and keeps only the digest.
(function () {
  "use strict";
  if (!window.crypto || !window.crypto.subtle) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-digest]"), hashOnSubmit);

  function hashOnSubmit(input) {
    var form = input.form;
    var hashed = false;
    form.addEventListener("submit", function (event) {
      if (hashed || input.files.length !== 1) { return; }
      event.preventDefault();
      input.files[0].arrayBuffer()
        .then(function (bytes) { return window.crypto.subtle.digest("SHA-256", bytes); })
        .then(function (digest) {
          var hex = Array.prototype.map.call(new Uint8Array(digest), function (byte) {
            return byte.toString(16).padStart(2, "0");
          }).join("");
          var field = document.createElement("input");
          field.type = "hidden";
          field.name = "evidence_sha256";
          field.value = hex;
          form.appendChild(field);
          input.disabled = true;
          hashed = true;
          form.submit();
        })
        .catch(function () {
          // A file the browser cannot read goes to the portal, which hashes it.
          hashed = true;
          form.submit();
        });
    });
  }
})();
