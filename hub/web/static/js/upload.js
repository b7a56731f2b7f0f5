/* Resumable uploads for the "add files" page: each file goes in chunks, and after a dropped connection
   it asks the hub how much arrived and carries on from there. Without this file the form posts as usual. */
(function () {
  "use strict";

  var form = document.getElementById("dropzone");
  if (!form || !window.XMLHttpRequest || !window.Blob || !window.Promise) { return; }
  var input = document.getElementById("file-input");
  var progressList = document.getElementById("progress-list");
  var fileList = document.getElementById("file-list");
  var submitButton = document.getElementById("submit-review");
  var MAX_WAIT = 15000;
  // Texts in the page's language come from the form's data-msg-* attributes (no inline script under the CSP).
  function text(name) { return form.getAttribute("data-msg-" + name) || ""; }
  var pending = 0;
  // The API refuses writes made with the sign-in cookie unless they carry the page's CSRF token.
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.getAttribute("content") : "";

  form.querySelectorAll("[data-nojs]").forEach(function (b) { b.hidden = true; });
  form.classList.add("enhanced");

  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (method !== "GET" && method !== "HEAD" && csrfToken) { xhr.setRequestHeader("X-CSRF-Token", csrfToken); }
      if (onProgress) { xhr.upload.onprogress = function (e) { onProgress(e.loaded); }; }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new Error("network")); };
      xhr.send(body);
    });
  }

  function messageOf(xhr) {
    try { return JSON.parse(xhr.responseText).message; } catch (e) { return "HTTP " + xhr.status; }
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function row(file) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = file.size;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var note = document.createElement("span");
    note.className = "note";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(note);
    progressList.appendChild(li);
    return { li: li, bar: bar, note: note };
  }

  // Ask the hub where it stands; keep asking (with growing pauses) while the network is down.
  function resumeOffset(url, ui, attempt) {
    ui.note.textContent = text("retrying");
    ui.li.classList.add("retrying");
    return wait(Math.min(1000 * Math.pow(2, attempt), MAX_WAIT))
      .then(function () { return request("HEAD", url, {}, null); })
      .then(function (xhr) {
        if (xhr.status !== 200) { throw new Error(messageOf(xhr)); }
        ui.li.classList.remove("retrying");
        ui.note.textContent = "";
        return parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
      }, function () { return resumeOffset(url, ui, attempt + 1); });
  }

  function sendFrom(file, session, offset, ui, attempt) {
    var url = "/api/v1/uploads/" + session.upload_id;
    var end = Math.min(offset + session.chunk_size, file.size);
    var headers = { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" };
    return request("PATCH", url, headers, file.slice(offset, end), function (loaded) {
      ui.bar.value = offset + loaded;
    }).then(function (xhr) {
      var next = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
      if (xhr.status === 201) { return JSON.parse(xhr.responseText); }
      if (xhr.status === 204 || xhr.status === 409) {
        ui.bar.value = next;
        return sendFrom(file, session, next, ui, 0);
      }
      throw new Error(messageOf(xhr));
    }, function () {
      return resumeOffset(url, ui, attempt).then(function (next) {
        ui.bar.value = next;
        return sendFrom(file, session, next, ui, attempt + 1);
      });
    });
  }

  function upload(file) {
    var ui = row(file);
    var body = JSON.stringify({ name: file.name, size: file.size });
    pending += 1;
    if (submitButton) { submitButton.disabled = true; }
    return request("POST", form.getAttribute("data-uploads"), { "Content-Type": "application/json" }, body)
      .then(function (xhr) {
        if (xhr.status !== 201) { throw new Error(messageOf(xhr)); }
        return sendFrom(file, JSON.parse(xhr.responseText), 0, ui, 0);
      })
      .then(function (stored) {
        ui.bar.value = file.size;
        ui.li.classList.add("done");
        ui.note.textContent = text("done");
        var li = document.createElement("li");
        li.textContent = stored.name;
        fileList.appendChild(li);
        var none = document.getElementById("no-files");
        if (none) { none.hidden = true; }
      }, function (error) {
        ui.li.classList.add("failed");
        ui.note.textContent = error.message === "network" ? text("network") : error.message;
      })
      .then(function () {
        pending -= 1;
        if (submitButton && pending === 0) { submitButton.disabled = false; }
      });
  }

  function uploadAll(files) {
    // One file at a time: on a weak link parallel uploads only slow each other down.
    return Array.prototype.reduce.call(files, function (chain, file) {
      return chain.then(function () { return upload(file); });
    }, Promise.resolve());
  }

  input.addEventListener("change", function () {
    uploadAll(input.files).then(function () { input.value = ""; });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    uploadAll(input.files);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { form.classList.remove("over"); });
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    uploadAll(event.dataTransfer.files);
  });
}());
