// The fleet matrix's filters: rows that differ between engines, rows with a problem, text.
(function () {
  "use strict";
  var controls = document.querySelector(".controls");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.matrix tbody tr"));
  if (!controls || !rows.length) { return; }
  controls.hidden = false;
  var differs = controls.querySelector("[data-filter='differs']");
  var problems = controls.querySelector("[data-filter='problems']");
  var search = controls.querySelector("input[type='search']");
  var shown = controls.querySelector(".shown");
  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var visible = (!differs.checked || row.dataset.differs === "true") &&
        (!problems.checked || row.dataset.problem === "true") &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      row.classList.toggle("hidden", !visible);
      if (visible) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " requirements shown";
  }
  [differs, problems].forEach(function (box) { box.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  apply();
})();
