/* snapshot-conformance: filters of the requirement matrix.
   Runs inline, where the summary fragment is parsed; it finds its own fragment through
   document.currentScript, so it needs no global names and leaves pytest-html's script
   alone. Without JavaScript the controls stay hidden and every row is shown. */
(function () {
  "use strict";
  var script = document.currentScript;
  var root = script && script.closest ? script.closest(".sc-report") : null;
  if (!root) {
    return;
  }
  var controls = root.querySelector(".sc-controls");
  var search = root.querySelector(".sc-search");
  var shown = root.querySelector(".sc-shown");
  var empty = root.querySelector(".sc-empty");
  var rows = Array.prototype.slice.call(root.querySelectorAll("tr.sc-row"));
  var boxes = Array.prototype.slice.call(root.querySelectorAll("input[data-sc-filter]"));
  // the row's text includes its closed <details>, so a search also finds words of the requirement text
  var haystacks = rows.map(function (row) {
    return (row.textContent + " " + (row.getAttribute("title") || "")).toLowerCase();
  });

  function selected(kind) {
    var values = {};
    boxes.forEach(function (box) {
      if (box.getAttribute("data-sc-filter") === kind && box.checked) {
        values[box.value] = true;
      }
    });
    return values;
  }

  function apply() {
    var statuses = selected("status");
    var levels = selected("level");
    var query = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row, index) {
      var visible = Boolean(statuses[row.getAttribute("data-status")]) &&
        Boolean(levels[row.getAttribute("data-level")]) &&
        (query === "" || haystacks[index].indexOf(query) !== -1);
      row.classList.toggle("sc-hidden", !visible);
      if (visible) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + rows.length + " requirements shown";
    empty.hidden = count !== 0;
  }

  function preset(name) {
    var problems = { failed: true, warning: true, partially_tested: true, not_tested: true };
    boxes.forEach(function (box) {
      if (box.getAttribute("data-sc-filter") === "status") {
        box.checked = name === "all" || Boolean(problems[box.value]);
      } else {
        box.checked = true;
      }
    });
    search.value = "";
    apply();
  }

  controls.addEventListener("input", apply);
  controls.addEventListener("change", apply);
  controls.addEventListener("click", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-sc-preset");
    if (name) {
      preset(name);
    }
  });
  controls.hidden = false;
  apply();
}());
