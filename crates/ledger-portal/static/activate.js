// Fills the activation form from the link on the worker's slip (/activate#WORKER.CODE), then takes
// the code out of the address bar: on a shared phone, the next person must not find it in the
// history. The fragment never reaches the server. Without JavaScript she types both.
(function () {
  "use strict";
  var fragment = window.location.hash.slice(1);
  var parts = fragment.split(".");
  if (parts.length !== 2) { return; }
  var worker = document.getElementById("worker_id");
  var code = document.getElementById("code");
  if (!worker || !code) { return; }
  if (/^W[0-9A-Z]{16}$/.test(parts[0]) && /^[0-9A-Z]{12}$/.test(parts[1])) {
    worker.value = parts[0];
    code.value = parts[1].replace(/(.{4})(.{4})(.{4})/, "$1-$2-$3");
    var pin = document.getElementById("pin");
    if (pin) { pin.focus(); }
  }
  window.history.replaceState(null, "", window.location.pathname);
})();
