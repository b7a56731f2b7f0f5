/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Sort menus submit themselves; the button stays for browsers without JavaScript.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    form.querySelectorAll("[data-nojs]").forEach(function (b) { b.hidden = true; });
    select.addEventListener("change", function () { form.submit(); });
  });

  // Title suggestions (Chinese, pinyin, initials) into the shared <datalist>.
  var list = document.getElementById("suggestions");
  var timer = null;
  var last = "";
  function fill(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.title;
      list.appendChild(option);
    });
  }
  function ask(q) {
    if (!window.fetch || q === last) { return; }
    last = q;
    fetch("/api/v1/suggest?size=8&q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
      .then(function (data) { if (q === last) { fill(data.suggestions || []); } })
      .catch(function () { /* suggestions are a nicety; the search itself still works */ });
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (q.length < 1) { fill([]); return; }
      timer = setTimeout(function () { ask(q); }, 200);
    });
  });
})();
