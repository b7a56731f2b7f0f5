/* The describe form: a vocational or higher-education stage shows its own majors instead of subjects
   and grades. Without this file every group shows and the hub checks the choices on saving. */
(function () {
  "use strict";

  var stage = document.getElementById("f-stage");
  if (!stage) { return; }
  var groups = document.querySelectorAll("fieldset.majors[data-stage]");
  var school = document.querySelector("[data-school-only]");

  // A hidden group's boxes are disabled too, so that choices left in it are not sent.
  function toggle(element, hidden) {
    element.hidden = hidden;
    element.querySelectorAll("input").forEach(function (box) { box.disabled = hidden; });
  }

  function show() {
    var usesMajors = false;
    groups.forEach(function (group) {
      var mine = group.getAttribute("data-stage") === stage.value;
      toggle(group, !mine);
      usesMajors = usesMajors || mine;
    });
    if (school) { toggle(school, usesMajors); }
  }

  stage.addEventListener("change", show);
  show();
}());
