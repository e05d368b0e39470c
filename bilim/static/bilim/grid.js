/* The report grid: spreadsheet-like keyboard navigation and autosave of each changed cell.
 *
 * Enter / ArrowDown move down the column, Shift+Enter / ArrowUp up; Tab / Shift+Tab move across
 * (row by row); ArrowLeft / ArrowRight move across when the caret is at the edge of the text; Esc
 * puts back the last saved value. Each change is posted, one request at a time, to the grid's
 * data-save-url; the server answers with the saved value or the error of the cell, shown under it.
 * Explanations (textarea[data-explain], also after the check panel is swapped in by htmx) are
 * saved the same way. */
(function () {
  "use strict";

  function initGrid(grid) {
    var saveUrl = grid.dataset.saveUrl;
    var csrf = grid.dataset.csrf;
    var status = document.getElementById(grid.dataset.status || "");
    var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr.grid-row"));
    var matrix = rows.map(function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll("td.grid-cell, td.grid-blocked")).map(function (td) {
        return td.querySelector("input.grid-input");
      });
    });
    var nav = window.BilimGridNav(matrix);
    var position = nav.position, order = nav.order, vertical = nav.vertical, horizontal = nav.horizontal,
        sequential = nav.sequential, atStart = nav.atStart, atEnd = nav.atEnd, go = nav.go;

    // --- saving: one request at a time, in the order of the changes ---------------------------
    var queue = Promise.resolve();
    var inFlight = 0;
    var offline = false;

    function setStatus(state) {
      if (!status) return;
      status.dataset.state = state;
      var text = status.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)];
      if (text) {
        status.textContent = state === "saved" ? text + " · " + new Date().toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : text;
      }
    }
    function refreshStatus() {
      if (inFlight > 0) { setStatus("saving"); return; }
      if (offline) { setStatus("offline"); return; }
      var invalid = document.querySelectorAll("#grid .grid-input.is-invalid, .explain-input.is-invalid").length;
      setStatus(invalid ? "error" : "saved");
    }
    function post(body, done) {
      inFlight += 1;
      refreshStatus();
      queue = queue.then(function () {
        return fetch(saveUrl, {
          method: "POST", body: body, credentials: "same-origin",
          headers: {"X-CSRFToken": csrf, "Accept": "application/json", "X-Requested-With": "fetch"}
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            offline = false;
            done(response.status, data);
          });
        }, function () {
          offline = true;
          done(0, {});
        });
      }).then(function () {
        inFlight -= 1;
        refreshStatus();
      });
    }

    function showError(field, message) {
      var holder = field.closest("td") || field.parentElement;
      field.classList.add("is-invalid");
      field.setAttribute("aria-invalid", "true");
      var id = "err-" + (field.name || field.id);
      var box = document.getElementById(id);
      if (!box) {
        box = document.createElement("div");
        box.className = "invalid-feedback d-block cell-error";
        box.id = id;
        holder.appendChild(box);
      }
      box.textContent = message;
      field.setAttribute("aria-describedby", id);
    }
    function clearError(field) {
      field.classList.remove("is-invalid");
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
      var box = document.getElementById("err-" + (field.name || field.id));
      if (box) box.remove();
      var td = field.closest("td");
      if (td) td.classList.remove("is-marked");
    }
    function flash(field) {
      var td = field.closest("td");
      if (!td) return;
      td.classList.add("is-saved");
      setTimeout(function () { td.classList.remove("is-saved"); }, 900);
    }

    function saveCell(input) {
      var key = input.name, value = input.value;
      var last = input.dataset.sent !== undefined ? input.dataset.sent : input.dataset.saved;
      if (value === last) return;
      input.dataset.sent = value;
      var body = new FormData();
      body.append(key, value);
      var td = input.closest("td");
      td.classList.add("is-saving");
      post(body, function (code, data) {
        td.classList.remove("is-saving");
        if (code === 200) {
          input.dataset.saved = value;
          clearError(input);
          var normalized = data.values && data.values[key];
          if (typeof normalized === "string" && input.value === value && document.activeElement !== input) {
            input.value = normalized;
            input.dataset.saved = normalized;
            input.dataset.sent = normalized;
          }
          flash(input);
        } else if (code === 0) {
          delete input.dataset.sent;
        } else {
          showError(input, (data.errors && data.errors[key]) || data.message || "?");
        }
      });
    }
    function saveExplanation(area) {
      var key = area.dataset.explain, value = area.value;
      var body = new FormData();
      body.append("explain-" + key, value);
      post(body, function (code, data) {
        if (code === 200) {
          clearError(area);
          area.classList.remove("is-missing");
        } else if (code !== 0) {
          var errors = data.errors || {};
          showError(area, errors[key + ".explanation"] || errors[key] || data.message || "?");
        }
      });
    }

    grid.addEventListener("change", function (event) {
      if (position.has(event.target)) saveCell(event.target);
    });
    grid.addEventListener("focusin", function (event) {
      if (!position.has(event.target)) return;
      event.target.select();
      event.target.dataset.fresh = "1";
    });
    // A click into a cell selects its content, as in a spreadsheet (the mouseup would drop the selection).
    grid.addEventListener("mouseup", function (event) {
      var input = event.target;
      if (position.has(input) && input.dataset.fresh) {
        event.preventDefault();
        delete input.dataset.fresh;
      }
    });
    grid.addEventListener("keydown", function (event) {
      if (position.has(event.target)) delete event.target.dataset.fresh;
    }, true);
    grid.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!position.has(input) || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      var target = null, handled = false;
      switch (event.key) {
        case "Enter":
          handled = true;
          saveCell(input);
          target = vertical(input, event.shiftKey ? -1 : 1);
          break;
        case "ArrowDown": handled = true; target = vertical(input, 1); break;
        case "ArrowUp": handled = true; target = vertical(input, -1); break;
        case "Tab":
          target = sequential(input, event.shiftKey ? -1 : 1);
          handled = target !== null;
          break;
        case "ArrowLeft":
          if (atStart(input)) { handled = true; target = horizontal(input, -1); }
          break;
        case "ArrowRight":
          if (atEnd(input)) { handled = true; target = horizontal(input, 1); }
          break;
        case "Escape":
          handled = true;
          input.value = input.dataset.saved || "";
          input.select();
          break;
      }
      if (handled) {
        event.preventDefault();
        go(target);
      }
    });
    document.addEventListener("change", function (event) {
      var area = event.target;
      if (area.matches && area.matches("textarea[data-explain]") && !area.disabled) saveExplanation(area);
    });
    var form = grid.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    }
    grid.dataset.ready = "1";
  }

  // Links to cells (check results): focus the cell's input, or show the cell.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-cell]");
    if (!link) return;
    var key = link.dataset.cell;
    var input = document.getElementById("cell-" + key);
    var td = document.getElementById("td-" + key);
    if (!td) return;
    event.preventDefault();
    td.scrollIntoView({block: "center", inline: "center"});
    if (input) { input.focus(); input.select(); }
  });

  // After the check panel arrives, outline the cells it names.
  function markChecked() {
    document.querySelectorAll(".grid-cell.rule-flag, .grid-cell.rule-warning").forEach(function (td) {
      td.classList.remove("rule-flag", "rule-warning");
    });
    document.querySelectorAll("#check-panel .check-item").forEach(function (item) {
      var cls = item.dataset.kind === "error" ? "rule-flag" : "rule-warning";
      (item.dataset.cells || "").trim().split(/\s+/).slice(0, 1).forEach(function (key) {
        var td = key && document.getElementById("td-" + key);
        if (td) td.classList.add(cls);
      });
    });
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "check-results") markChecked();
  });

  function start() {
    document.querySelectorAll("table.report-grid.is-editable").forEach(initGrid);
    markChecked();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
