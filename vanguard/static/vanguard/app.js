// Behaviour shared by every page; no inline scripts (the CSP forbids them).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Phones show every table as cards (app.css, .vg-stack): each cell needs its column's header as
// data-label. The list pages render it; the tables written by hand in the apps get it here, so
// no app template has to repeat its headers.
function vgHeaders(table) {
  var headers = [];
  var row = table.tHead && table.tHead.rows[0];
  if (!row) return headers;
  Array.prototype.forEach.call(row.cells, function (cell) {
    for (var i = 0; i < (cell.colSpan || 1); i++) headers.push(cell.textContent.trim());
  });
  return headers;
}

function vgStackTable(table) {
  var headers = vgHeaders(table);
  table.classList.add("vg-stack");
  Array.prototype.forEach.call(table.tBodies, function (body) {
    Array.prototype.forEach.call(body.rows, function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && (cell.colSpan || 1) === 1 && headers[column]) {
          cell.setAttribute("data-label", headers[column]);
        }
        vgWrapCell(cell);
        column += cell.colSpan || 1;
      });
    });
  });
}

// A labelled cell is a grid of two columns, label and value: a value made of several nodes (a
// date and a badge, a title and its description) is wrapped so that it stays one grid item.
function vgWrapCell(cell) {
  if (!cell.getAttribute("data-label") || cell.querySelector(":scope > .vg-cell")) return;
  var parts = Array.prototype.filter.call(cell.childNodes, function (node) {
    return node.nodeType === Node.ELEMENT_NODE || (node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  });
  if (parts.length < 2) return;
  var wrapper = document.createElement("div");
  wrapper.className = "vg-cell";
  while (cell.firstChild) wrapper.appendChild(cell.firstChild);
  cell.appendChild(wrapper);
}

// A checkbox without a label (a "delete" column of a formset) is too small to tap: its cell's
// header becomes a label around it, 44 px square on phones, that also names it for screen readers.
function vgLabelCheckbox(input) {
  if (input.labels && input.labels.length) return;
  var cell = input.closest("td");
  var label = document.createElement("label");
  label.className = "vg-hit";
  input.parentNode.insertBefore(label, input);
  label.appendChild(input);
  var name = cell && cell.getAttribute("data-label");
  if (name) {
    var text = document.createElement("span");
    text.className = "visually-hidden";
    text.textContent = name;
    label.appendChild(text);
  }
}

function vgEnhance(root) {
  var table = root.closest && root.closest("main table.table");
  var tables = table ? [table] : (root.querySelectorAll ? root.querySelectorAll("main table.table") : []);
  Array.prototype.forEach.call(tables, vgStackTable);
  var scope = table || root;
  if (scope.querySelectorAll) {
    Array.prototype.forEach.call(scope.querySelectorAll("main input[type=checkbox], main input[type=radio]"), vgLabelCheckbox);
  }
}

vgEnhance(document);
// Rows and fragments that htmx swaps in (a task completed in place, a tree's children).
document.addEventListener("htmx:load", function (event) { vgEnhance(event.target); });
