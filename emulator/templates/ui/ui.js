// The dashboard's behaviour: live refresh from the server's event stream, and forms
// that call the control plane with JSON. No library, no build step.
(function () {
  "use strict";
  var body = document.body;
  var store = body.dataset.store; // set when a picked store (open mode) is shown
  var flash = document.getElementById("flash");
  var refreshing = false, again = false;

  function say(text, bad) {
    flash.textContent = text;
    flash.className = bad ? "flash bad" : "flash";
  }

  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      var answer = await fetch(location.href, { cache: "no-store" });
      if (answer.ok) {
        var fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
        document.querySelectorAll("[data-live]").forEach(function (old) {
          var next = fresh.getElementById(old.id);
          if (next) { old.replaceWith(next); }
        });
      }
    } finally {
      refreshing = false;
      if (again) { again = false; refresh(); }
    }
  }

  function basic(name) {
    var bytes = new TextEncoder().encode(name + ":dashboard");
    return "Basic " + btoa(String.fromCharCode.apply(null, bytes));
  }

  async function call(method, url, payload, done) {
    var headers = { "Content-Type": "application/json" };
    if (store) { headers.Authorization = basic(store); }
    var answer = await fetch(url, {
      method: method, headers: headers,
      body: payload === undefined ? undefined : JSON.stringify(payload)
    });
    var text = await answer.text();
    if (!answer.ok) {
      say(method + " " + url + " answered " + answer.status + ": " + text.slice(0, 300), true);
    } else {
      say(done || (method + " " + url + ": " + answer.status));
    }
    await refresh();
  }

  function fields(form) {
    var payload = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.value === "" || el.type === "submit") { return; }
      if (el.type === "checkbox") { payload[el.name] = el.checked; return; }
      payload[el.name] = el.dataset.type === "number" ? Number(el.value) : el.value;
    });
    return payload;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-api]");
    if (!form) { return; }
    event.preventDefault();
    var payload = "nobody" in form.dataset ? undefined : fields(form);
    if (form.dataset.wrap) { // e.g. {"days": 30} from a unit select and an amount
      var wrapped = {}; wrapped[payload.unit] = Number(payload.amount); payload = wrapped;
    }
    call(form.dataset.method || "POST", form.dataset.api, payload, form.dataset.done)
      .catch(function (error) { say(String(error), true); });
  });

  if (window.EventSource) {
    var stream = new EventSource(body.dataset.liveUrl);
    stream.onmessage = function () { refresh(); };
  }
})();
