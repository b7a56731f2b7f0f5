/* Watch and read in the page: the 流畅/高清 switch of each video, and pdf.js page by page.
   Plain ES2017, no build step; pdf.js (vendored under vendor/pdfjs) is loaded only when a
   document is on the page. */
(function () {
  "use strict";

  var STORE = "eduhub.quality";
  var SLOW_TYPES = ["slow-2g", "2g", "3g"];
  var SLOW_MBPS = 5;  // below this a 720p original stalls; the 360p rendition needs ~0.7 Mbit/s

  // The Network Information API where the browser has it (Chromium, Android); else unknown.
  function slowConnection() {
    var c = navigator.connection;
    if (!c) return false;
    if (c.saveData) return true;
    if (SLOW_TYPES.indexOf(c.effectiveType) >= 0) return true;
    return typeof c.downlink === "number" && c.downlink > 0 && c.downlink < SLOW_MBPS;
  }

  function remembered() {
    try { return window.localStorage.getItem(STORE); } catch (e) { return null; }
  }

  function remember(quality) {
    try { window.localStorage.setItem(STORE, quality); } catch (e) { /* private mode */ }
  }

  function choose(video) {
    if (!video.dataset.low) return "high";
    var chosen = remembered();
    if (chosen === "low" || chosen === "high") return chosen;
    return slowConnection() ? "low" : "high";
  }

  // Change the source, keeping the position and whether it was playing.
  function setQuality(player, quality) {
    var video = player.querySelector("video");
    var url = quality === "low" ? video.dataset.low : video.dataset.high;
    player.querySelectorAll("[data-quality]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.quality === quality));
    });
    video.dataset.quality = quality;
    if (!url || video.getAttribute("src") === url) return;
    var at = video.currentTime, playing = !video.paused;
    video.setAttribute("src", url);
    if (at > 0 || playing) {
      video.addEventListener("loadedmetadata", function () {
        video.currentTime = at;
        if (playing) video.play().catch(function () { /* the reader pauses it */ });
      }, { once: true });
      video.load();
    }
  }

  function initPlayer(player) {
    var video = player.querySelector("video");
    setQuality(player, choose(video));
    video.preload = "metadata";
    player.querySelectorAll("[data-quality]").forEach(function (button) {
      button.addEventListener("click", function () {
        remember(button.dataset.quality);
        setQuality(player, button.dataset.quality);
      });
    });
  }

  // -- the reader -----------------------------------------------------------------------------

  var PAGES_AT_ONCE = 3;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function renderPage(pdf, number, reader) {
    return pdf.getPage(number).then(function (page) {
      var width = reader.querySelector(".reader-pages").clientWidth || 800;
      var base = page.getViewport({ scale: 1 });
      var ratio = window.devicePixelRatio || 1;
      var viewport = page.getViewport({ scale: (width / base.width) * ratio });
      var canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", fill(reader.dataset.pageLabel, { n: number }));
      canvas.className = "reader-page";
      reader.querySelector(".reader-pages").appendChild(canvas);
      return page.render({ canvasContext: canvas.getContext("2d"), viewport: viewport }).promise;
    });
  }

  function showMore(pdf, reader, state) {
    var last = Math.min(state.shown + PAGES_AT_ONCE, pdf.numPages);
    var chain = Promise.resolve();
    for (var n = state.shown + 1; n <= last; n++) {
      chain = chain.then(renderPage.bind(null, pdf, n, reader));
    }
    return chain.then(function () {
      state.shown = last;
      var status = reader.querySelector(".reader-status");
      status.textContent = fill(reader.dataset.shown, { shown: last, total: pdf.numPages });
      reader.querySelector("[data-more]").hidden = last >= pdf.numPages;
    });
  }

  function initReader(reader) {
    var failed = function () {
      reader.querySelector(".reader-status").textContent = reader.dataset.failed;
    };
    import(reader.dataset.pdfjs).then(function (pdfjs) {
      pdfjs.GlobalWorkerOptions.workerSrc = reader.dataset.worker;
      // Range requests only, each part as it is needed: the first page shows before the whole
      // file has arrived on a slow line.
      var task = pdfjs.getDocument({
        url: reader.dataset.src,
        disableAutoFetch: true,
        disableStream: true,
        rangeChunkSize: 65536,
        cMapUrl: reader.dataset.cmaps,
        cMapPacked: true,
        isEvalSupported: false,
      });
      return task.promise.then(function (pdf) {
        var state = { shown: 0 };
        reader.querySelector("[data-more]").addEventListener("click", function () {
          showMore(pdf, reader, state).catch(failed);
        });
        return showMore(pdf, reader, state);
      });
    }).catch(failed);
  }

  document.querySelectorAll("[data-player]").forEach(function (video) {
    initPlayer(video.closest(".player"));
  });
  document.querySelectorAll("[data-reader]").forEach(initReader);
})();
