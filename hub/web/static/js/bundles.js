/* The search page's offline bundle: its size fetched as the page opens, then (signed in) built by the
   API, its progress polled, and the ZIP offered. Without this file the button opens the size page. */
(function () {
  "use strict";

  // A status page (a bundle being built, an import running): reload it once the status changes.
  var watched = document.querySelector("[data-poll]");
  if (watched && window.fetch) {
    var watch = function () {
      fetch(watched.getAttribute("data-poll"), { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (job) {
        if (job && job.status !== watched.getAttribute("data-status")) { window.location.reload(); return; }
        setTimeout(watch, 2000);
      }).catch(function () { setTimeout(watch, 8000); });
    };
    setTimeout(watch, 2000);
  }

  var form = document.getElementById("bundle-form");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var sizeNote = document.getElementById("bundle-size");
  var progress = document.getElementById("bundle-progress");
  var button = document.getElementById("bundle-button");
  var POLL = 1500;
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.getAttribute("content") : "";

  // Texts in the page's language come from data-msg-* attributes (no inline script under the CSP).
  function text(name, values) {
    var out = form.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { out = out.replace("{" + key + "}", values[key]); });
    return out;
  }

  function bytes(n) {
    var units = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }

  function search() {
    var params = new URLSearchParams();
    form.querySelectorAll('input[type="hidden"]').forEach(function (input) {
      params.append(input.name, input.value);
    });
    return params;
  }

  function body() {
    var out = {};
    search().forEach(function (value, name) {
      if (name === "q") { out.q = value; } else { (out[name] = out[name] || []).push(value); }
    });
    return out;
  }

  function messageOf(response) {
    return response.json().then(function (d) { return d.message || ("HTTP " + response.status); },
      function () { return "HTTP " + response.status; });
  }

  function showSize() {
    var url = form.getAttribute("data-estimate") + "?" + search().toString();
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { return; }
      return r.json().then(function (size) {
        sizeNote.textContent = text("size", { resources: size.resources, files: size.files, size: bytes(size.bytes) }) +
          (size.capped ? " " + text("capped") : "");
      });
    }).catch(function () { /* the button still leads to the size page */ });
  }

  function poll(link) {
    fetch(link, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { return messageOf(r).then(function (m) { fail(m); }); }
      return r.json().then(function (job) {
        if (job.status === "queued" || job.status === "running") {
          progress.textContent = text(job.status);
          setTimeout(function () { poll(link); }, POLL);
        } else if (job.status === "succeeded") {
          ready(job);
        } else {
          fail(job.error || job.status);
        }
      });
    }).catch(function () { setTimeout(function () { poll(link); }, POLL * 4); });
  }

  function ready(job) {
    progress.textContent = "";
    var a = document.createElement("a");
    a.id = "bundle-download";
    a.className = "button primary";
    a.href = job.links.file;
    a.setAttribute("download", "");
    a.textContent = text("ready", { size: bytes(job.size) });
    progress.appendChild(a);
    button.disabled = false;
  }

  function fail(message) {
    progress.textContent = text("failed") + " " + message;
    button.disabled = false;
  }

  function build(event) {
    if (!form.getAttribute("data-signed-in")) { return; } // the size page asks them to log in
    event.preventDefault();
    button.disabled = true;
    progress.textContent = text("queued");
    fetch(form.getAttribute("data-build"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
      body: JSON.stringify(body())
    }).then(function (r) {
      if (r.status !== 202) { return messageOf(r).then(fail); }
      return r.json().then(function (job) { poll(job.links.self); });
    }).catch(function () { fail("network"); });
  }

  form.addEventListener("submit", build);
  showSize();
})();
