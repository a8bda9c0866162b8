/* thesis-site: sort and filter the index tables (theses, claims, stance board) in the browser.

   Progressive: without this script the tables are plain and complete. The generator marks a
   table with `data-ts-index`, names the row attributes to filter on in `data-ts-filters`
   ("status horizon strength"; a row attribute may hold several space-separated values, and a
   filter matches a row holding the chosen one), and writes `data-sort` on cells whose words do
   not sort (active before closed, strong before weak). `data-ts-type="number"` on a header sorts
   that column as numbers. Each header becomes a button; a second click reverses the order.
   A filter works on the rows of the page shown: a listing split over several pages filters
   each page.

   Material's instant navigation swaps pages without reloading scripts, so set-up runs on its
   `document$` observable when there is one, otherwise once the document is loaded. */
(function () {
  "use strict";

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellKey(cell, numeric) {
    if (!cell) return "";
    var key = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (numeric || cell.hasAttribute("data-sort")) {
      var number = parseFloat(key);
      return isNaN(number) ? key : number;
    }
    return key;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return collator.compare(String(a), String(b));
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row, index) { row.setAttribute("data-ts-position", index); });
    Array.prototype.forEach.call(headers, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ts-sort";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      header.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        var numeric = header.getAttribute("data-ts-type") === "number";
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = compare(cellKey(a.cells[column], numeric), cellKey(b.cells[column], numeric));
          if (!ascending) order = -order;
          return order || (a.getAttribute("data-ts-position") - b.getAttribute("data-ts-position"));
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function label(name) {
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  function makeFilterable(table, number) {
    var names = (table.getAttribute("data-ts-filters") || "").split(/\s+/).filter(Boolean);
    if (!names.length) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var form = document.createElement("form");
    form.className = "ts-filters";
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter the table");
    var status = document.createElement("p");
    status.className = "ts-filters__count";
    status.setAttribute("aria-live", "polite");
    var selects = {};
    names.forEach(function (name) {
      var values = {};
      rows.forEach(function (row) {
        (row.getAttribute("data-" + name) || "").split(/\s+/).filter(Boolean).forEach(function (v) { values[v] = true; });
      });
      var id = "ts-filter-" + number + "-" + name;
      var wrapper = document.createElement("label");
      wrapper.setAttribute("for", id);
      wrapper.textContent = label(name) + " ";
      var select = document.createElement("select");
      select.id = id;
      select.name = name;
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "all";
      select.appendChild(all);
      Object.keys(values).sort(collator.compare).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value.replace(/-/g, " ");
        select.appendChild(option);
      });
      select.addEventListener("change", apply);
      selects[name] = select;
      wrapper.appendChild(select);
      form.appendChild(wrapper);
    });
    form.appendChild(status);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = names.every(function (name) {
          var wanted = selects[name].value;
          return !wanted || (row.getAttribute("data-" + name) || "").split(/\s+/).indexOf(wanted) >= 0;
        });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " rows";
    }

    var anchor = table.closest(".md-typeset__scrollwrap") || table.closest(".md-typeset__table") || table;
    anchor.parentNode.insertBefore(form, anchor);
    apply();
  }

  function setUp() {
    var tables = document.querySelectorAll("table[data-ts-index]:not([data-ts-ready])");
    Array.prototype.forEach.call(tables, function (table, number) {
      table.setAttribute("data-ts-ready", "");
      makeSortable(table);
      makeFilterable(table, number);
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
