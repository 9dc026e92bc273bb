(function () {
  "use strict";
  var collator = new Intl.Collator("vi");
  var body = document.body;

  function cellKey(cell) {
    var k = cell && cell.getAttribute("data-k");
    return k === null || k === undefined ? null : parseFloat(k);
  }

  function sortBy(th) {
    var table = th.closest("table");
    var column = th.cellIndex;
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var descending = th.getAttribute("aria-sort") === "ascending";
    rows.sort(function (a, b) {
      var ca = a.cells[column], cb = b.cells[column];
      var ka = cellKey(ca), kb = cellKey(cb);
      var d = ka !== null && kb !== null ? ka - kb : collator.compare(ca ? ca.textContent : "", cb ? cb.textContent : "");
      return descending ? -d : d;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    tbody.appendChild(fragment);
    Array.prototype.forEach.call(th.parentNode.cells, function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function applyFilters(box) {
    var table = document.getElementById(box.getAttribute("data-for"));
    if (!table) { return; }
    var value = function (name) { var el = box.querySelector("[data-f=" + name + "]"); return el ? el.value : ""; };
    var area = value("a"), unit = value("u"), quarter = value("q");
    var words = value("t").normalize("NFC").toLocaleLowerCase("vi").trim();
    var shown = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var ok = (!area || row.getAttribute("data-a") === area)
        && (!unit || (" " + row.getAttribute("data-u") + " ").indexOf(" " + unit + " ") >= 0)
        && (!quarter || (quarter === "-" ? !row.getAttribute("data-q") : row.getAttribute("data-q") === quarter))
        && (!words || row.textContent.toLocaleLowerCase("vi").indexOf(words) >= 0);
      row.hidden = !ok;
      shown += ok ? 1 : 0;
    }
    var output = box.querySelector("output");
    if (output) {
      output.textContent = output.getAttribute("data-template").replace("{n}", shown).replace("{total}", rows.length);
    }
  }

  var tip = document.getElementById("tip");

  function showTip(word) {
    var parts = (word.getAttribute("title") || "").split(" · ");
    var lines = [];
    if (word.tagName === "MARK") {
      lines.push(body.getAttribute("data-l-candidates") + ": " + (parts[1] || ""));
      lines.push(body.getAttribute("data-l-confidence") + ": " + (parts[2] || ""));
    } else {
      lines.push(body.getAttribute("data-l-ocr") + ": " + (parts[0] || ""));
      lines.push(body.getAttribute("data-l-confidence") + ": " + (parts[1] || "100%"));
      if (parts[2]) { lines.push(body.getAttribute("data-l-candidates") + ": " + parts[2]); }
    }
    tip.textContent = "";
    lines.forEach(function (line) { var div = document.createElement("div"); div.textContent = line; tip.appendChild(div); });
    var box = word.getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = Math.max(4, Math.min(box.left, window.innerWidth - tip.offsetWidth - 4)) + "px";
    tip.style.top = (box.bottom + 4 + tip.offsetHeight > window.innerHeight ? box.top - tip.offsetHeight - 4 : box.bottom + 4) + "px";
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var d = target.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) { d.open = true; }
    target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (event) {
    var th = event.target.closest("table.sortable thead th");
    if (th) { sortBy(th); return; }
    var word = event.target.closest("pre.tx i, pre.tx mark");
    if (word) { showTip(word); return; }
    tip.hidden = true;
  });
  document.addEventListener("keydown", function (event) {
    var th = event.target.closest && event.target.closest("table.sortable thead th");
    if (th && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); sortBy(th); }
    if (event.key === "Escape") { tip.hidden = true; }
  });
  document.addEventListener("input", function (event) {
    var box = event.target.closest(".filters");
    if (box) { applyFilters(box); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable thead th"), function (th) { th.tabIndex = 0; });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
