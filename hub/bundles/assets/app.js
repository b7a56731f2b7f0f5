// The bundle's page: lists, searches and filters the records in data.js, in plain JavaScript, from file://.
(function () {
  "use strict";
  var data = window.EDUHUB_BUNDLE;
  var maxToken = Object.keys(data.index).reduce(function (m, t) { return Math.max(m, t.length); }, 1);
  var $ = function (id) { return document.getElementById(id); };

  function normalize(text) {
    return (text || "").normalize("NFKC").toLowerCase().trim();
  }

  // Forward maximum matching against the index's own words (segmented by the hub at export time).
  function segment(text) {
    var words = [], i = 0;
    while (i < text.length) {
      var found = null;
      for (var n = Math.min(maxToken, text.length - i); n > 0; n--) {
        var piece = text.substr(i, n);
        if (Object.prototype.hasOwnProperty.call(data.index, piece)) { found = piece; break; }
      }
      if (found) { words.push(found); i += found.length; } else { i += 1; }
    }
    return words;
  }

  function matchesText(query) {
    var q = normalize(query);
    if (!q) return null;
    var result = null;
    q.split(/\s+/).forEach(function (part) {
      var words = segment(part), hits = {};
      words.forEach(function (w) { data.index[w].forEach(function (i) { hits[i] = true; }); });
      if (!words.length) {  // no indexed word: fall back to a plain substring of the title
        data.records.forEach(function (r, i) { if (normalize(r.title).indexOf(part) >= 0) hits[i] = true; });
      }
      result = result === null ? hits : Object.keys(result).reduce(function (acc, i) {
        if (hits[i]) acc[i] = true; return acc;
      }, {});
    });
    return result;
  }

  function label(field, code) { return (data.labels[field] || {})[code] || code; }

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function render(record) {
    var li = document.createElement("li");
    var title = document.createElement("div");
    title.className = "title"; title.textContent = record.title; li.appendChild(title);
    var tags = document.createElement("div");
    tags.className = "tags";
    tags.textContent = [label("stage", record.stage)].concat(
      record.subjects.map(function (c) { return label("subjects", c); }),
      record.grades.map(function (c) { return label("grades", c); }),
      [label("type", record.type)]).filter(Boolean).join(" · ");
    li.appendChild(tags);
    var desc = document.createElement("p"); desc.textContent = record.description; li.appendChild(desc);
    var files = document.createElement("div"); files.className = "files";
    record.files.forEach(function (f) {
      var a = document.createElement("a");
      a.href = f.path; a.setAttribute("download", f.name);
      a.textContent = f.name + " (" + size(f.size) + ")";
      files.appendChild(a);
    });
    li.appendChild(files);
    return li;
  }

  function update() {
    var text = matchesText($("q").value);
    var stage = $("stage").value, subject = $("subjects").value, grade = $("grades").value;
    var list = $("results"); list.textContent = "";
    var shown = 0;
    data.records.forEach(function (r, i) {
      if (text !== null && !text[i]) return;
      if (stage && r.stage !== stage) return;
      if (subject && r.subjects.indexOf(subject) < 0) return;
      if (grade && r.grades.indexOf(grade) < 0) return;
      list.appendChild(render(r)); shown++;
    });
    $("count").textContent = "共 " + shown + " 条 " + shown + " resources";
  }

  ["stage", "subjects", "grades"].forEach(function (field) {
    var select = $(field);
    Object.keys(data.labels[field] || {}).sort().forEach(function (code) {
      var option = document.createElement("option");
      option.value = code; option.textContent = data.labels[field][code];
      select.appendChild(option);
    });
    select.addEventListener("change", update);
  });
  $("q").addEventListener("input", update);
  $("origin").textContent = data.hub.name + " · " + data.hub.url + " · " + data.created;
  update();
})();
