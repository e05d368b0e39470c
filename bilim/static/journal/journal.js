/* The journal grid: keyboard entry, and one request per lesson column.
 *
 * Rows are pupils, columns lessons. ↑ ↓ (and Enter / Shift+Enter) move along the column, Tab /
 * Shift+Tab move across row by row, ← → move across at the edge of the text. Digits type a mark;
 * a letter types the attendance (the Kazakh and the Russian letters are both accepted, in either
 * case, and shown as the page language's letter); Delete clears the cell, Esc puts back what was
 * saved. A column whose cells, kind of mark or maximum changed is saved as a whole — every pupil's
 * cell of that lesson — when the focus leaves it, on Save or on Ctrl+S: one request, all or
 * nothing; the server's errors are shown under the cells they belong to. After a save the term
 * grades come back recomputed.
 *
 * The term grade buttons (also on read-only grids) show how the grade was computed in a popover. */
(function () {
  "use strict";

  var LETTER = /\p{L}/u;
  var ALLOWED = /^[0-9.,\-\u2013\u2014 ]$/;

  function explainPopovers(root) {
    if (!window.bootstrap || !window.bootstrap.Popover) return;
    root.querySelectorAll(".jr-grade-btn").forEach(function (button) {
      var old = window.bootstrap.Popover.getInstance(button);
      if (old) old.dispose();
      var source = button.parentElement.querySelector(".jr-explain");
      if (!source) return;
      new window.bootstrap.Popover(button, {
        html: true, trigger: "hover focus", placement: "right", container: "body", customClass: "jr-popover",
        content: function () {
          var copy = source.cloneNode(true);
          copy.classList.remove("visually-hidden");
          copy.removeAttribute("id");
          return copy;
        }
      });
    });
  }

  function initGrid(table) {
    var saveUrl = table.dataset.saveUrl;
    var csrf = table.dataset.csrf;
    var letters = JSON.parse(table.dataset.letters || "{}");
    var shown = letters.shown || {};
    var accepted = letters.accepted || {};
    var status = document.getElementById("save-status");
    var saveButton = document.getElementById("save-button");
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th.jr-lesson"));
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-pupil]"));
    var matrix = rows.map(function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll("td.jr-cell, td.jr-blocked")).map(function (td) {
        return td.querySelector("input.jr-input");
      });
    });
    var nav = window.BilimGridNav(matrix);
    var position = nav.position, order = nav.order, vertical = nav.vertical, horizontal = nav.horizontal,
        sequential = nav.sequential, atStart = nav.atStart, atEnd = nav.atEnd, go = nav.go,
        allSelected = nav.allSelected;
    var columns = headers.map(function (th) {
      return {th: th, kind: th.querySelector(".jr-kind"), max: th.querySelector(".jr-max"), error: th.querySelector(".jr-col-error"),
              version: 0, saved: 0, sending: -1, failed: false, message: ""};
    });

    // --- moving: bilim/gridnav.js ---------------------------------------------------------------
    function columnOf(element) {
      if (position.has(element)) return position.get(element)[1];
      var th = element.closest && element.closest("th.jr-lesson");
      return th ? headers.indexOf(th) : -1;
    }

    // --- state and status ----------------------------------------------------------------------
    var queue = Promise.resolve();
    var inFlight = 0;
    var offline = false;

    function dirty(c) { return columns[c].version !== columns[c].saved; }
    function anyDirty() { return columns.some(function (_col, c) { return dirty(c); }); }

    function setStatus(state, text) {
      if (!status) return;
      status.dataset.state = state;
      var label = text || status.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)];
      if (label) {
        status.textContent = state === "saved" ? label + " · " + new Date().toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) : label;
      }
    }
    function refresh() {
      if (saveButton) saveButton.disabled = !anyDirty();
      if (inFlight > 0) { setStatus("saving"); return; }
      if (offline) { setStatus("offline"); return; }
      var failed = columns.filter(function (col) { return col.failed; });
      if (failed.length) { setStatus("error", failed[failed.length - 1].message || ""); return; }
      setStatus(anyDirty() ? "dirty" : "saved");
    }
    function clean(c) {
      var col = columns[c];
      if (col.kind && col.kind.value !== col.th.dataset.kind) return false;
      if (col.max && !col.max.hidden && col.max.value !== (col.max.dataset.saved || "")) return false;
      return columnInputs(c).every(function (input) { return input.value === (input.dataset.saved || ""); });
    }
    function touch(c) {
      var col = columns[c];
      col.version += 1;
      if (col.sending === -1 && !col.failed && clean(c)) {
        col.saved = col.version;  // back to what was saved (Esc, or typed the same again): nothing to send
        col.th.classList.remove("is-dirty");
      } else {
        col.th.classList.add("is-dirty");
      }
      refresh();
    }

    // --- cells: letters and numbers ------------------------------------------------------------
    function numberPart(text) { return text.replace(/\p{L}/gu, "").trim(); }
    function letterOf(text) {
      var found = text.match(/\p{L}/u);
      return found ? found[0] : "";
    }
    function statusOf(text) {
      var letter = letterOf(text);
      return letter ? accepted[letter.toUpperCase()] || "" : "";
    }
    function normalize(text) {
      // any accepted letter, in either case and either language, becomes the page language's letter
      return text.replace(/\p{L}/gu, function (ch) {
        var s = accepted[ch.toUpperCase()];
        return s ? shown[s] : ch;
      });
    }
    function paint(input) {
      var td = input.closest("td");
      ["absent", "sick", "excused", "late"].forEach(function (s) { td.classList.remove("is-" + s); });
      var s = statusOf(input.value);
      if (s) td.classList.add("is-" + s);
    }

    function showError(input, message) {
      var td = input.closest("td");
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      var id = "err-" + input.id;
      var box = document.getElementById(id);
      if (!box) {
        box = document.createElement("div");
        box.className = "jr-error cell-error";
        box.id = id;
        td.appendChild(box);
      }
      box.textContent = message;
      input.setAttribute("aria-describedby", id);
      td.classList.add("has-error");
    }
    function clearError(input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      var box = document.getElementById("err-" + input.id);
      if (box) box.remove();
      input.closest("td").classList.remove("has-error");
    }
    function columnError(c, message) {
      var box = columns[c].error;
      if (!box) return;
      box.textContent = message || "";
      box.hidden = !message;
      box.classList.toggle("d-block", !!message);
      columns[c].th.classList.toggle("has-error", !!message);
    }

    // --- saving a column -----------------------------------------------------------------------
    function columnInputs(c) {
      return matrix.map(function (row) { return row[c]; }).filter(Boolean);
    }
    function save(c) {
      var col = columns[c];
      if (c < 0 || !dirty(c) || col.sending === col.version) return;
      var version = col.version;
      col.sending = version;
      var th = col.th;
      var body = new FormData();
      body.append("date", th.dataset.date);
      body.append("number", th.dataset.number);
      body.append("topic", th.dataset.topic || "");
      body.append("kind", col.kind ? col.kind.value : th.dataset.kind);
      body.append("previous_kind", th.dataset.kind);
      body.append("term", table.dataset.term || "");
      if (col.max && !col.max.hidden) body.append("max_points", col.max.value);
      var sent = {};
      columnInputs(c).forEach(function (input) {
        body.append(input.name, input.value);
        sent[input.name] = input.value;
      });
      inFlight += 1;
      th.classList.add("is-saving");
      refresh();
      queue = queue.then(function () {
        return fetch(saveUrl, {
          method: "POST", body: body, credentials: "same-origin",
          headers: {"X-CSRFToken": csrf, "Accept": "application/json", "X-Requested-With": "fetch"}
        }).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            offline = false;
            done(c, version, sent, response.status, data);
          });
        }, function () {
          offline = true;
          col.sending = -1;
        });
      }).then(function () {
        inFlight -= 1;
        th.classList.remove("is-saving");
        refresh();
      });
    }

    function done(c, version, sent, code, data) {
      var col = columns[c];
      col.sending = -1;
      var inputs = columnInputs(c);
      if (code === 200 && !data.cells) {
        // not the journal's answer (e.g. the login page after the session expired): nothing was saved
        col.failed = true;
        col.message = status ? status.dataset.textSession : "";
        return;
      }
      if (code === 200) {
        col.failed = false;
        columnError(c, "");
        col.th.dataset.kind = data.kind;
        if (col.max) { col.max.value = data.max_points || col.max.value; col.max.dataset.saved = col.max.value; col.max.classList.remove("is-invalid"); }
        inputs.forEach(function (input) {
          clearError(input);
          var pupil = input.name.slice(5);
          var text = data.cells && data.cells[pupil];
          if (typeof text === "string") {
            input.dataset.saved = text;
            if (input.value === sent[input.name]) input.value = text;
          }
          var td = input.closest("td");
          td.classList.toggle("is-missed", false);
          paint(input);
        });
        if (col.version === version) {
          col.saved = version;
          col.th.classList.remove("is-dirty");
        }
        col.th.classList.add("is-saved");
        setTimeout(function () { col.th.classList.remove("is-saved"); }, 900);
        updateGrades(data.grades || {});
        return;
      }
      col.failed = true;
      var cellErrors = data.cells || {};
      col.message = Object.keys(cellErrors).length ? "" : (data.message || (status ? status.dataset.textSession : ""));
      inputs.forEach(function (input) {
        var message = cellErrors[input.name.slice(5)];
        if (message) showError(input, message); else clearError(input);
      });
      var fields = data.fields || {};
      var messages = Object.keys(fields).map(function (k) { return fields[k]; });
      if (col.max) col.max.classList.toggle("is-invalid", !!fields.max_points);
      if (!messages.length && !Object.keys(cellErrors).length) messages.push(col.message || String(code));
      columnError(c, messages.join(" "));
    }

    function updateGrades(grades) {
      Object.keys(grades).forEach(function (pupil) {
        var td = table.querySelector("td[data-grade-for='" + pupil + "']");
        if (!td) return;
        var g = grades[pupil];
        var button = td.querySelector(".jr-grade-btn");
        var explain = td.querySelector(".jr-explain");
        var old = window.bootstrap && window.bootstrap.Popover && window.bootstrap.Popover.getInstance(button);
        if (old) old.dispose();
        button.className = "btn btn-sm jr-grade-btn grade-" + g.kind;
        button.dataset.grade = g.mark === null || g.mark === undefined ? "" : String(g.mark);
        button.dataset.kind = g.kind;
        button.textContent = g.text;
        explain.innerHTML = "";
        var head = document.createElement("div");
        head.className = "fw-semibold mb-1 jr-explain-label";
        head.textContent = g.label + (g.percent ? " · " + g.percent : "");
        var list = document.createElement("ul");
        list.className = "mb-0 ps-3";
        (g.explanation || []).forEach(function (line) {
          var li = document.createElement("li");
          li.textContent = line;
          list.appendChild(li);
        });
        explain.appendChild(head);
        explain.appendChild(list);
      });
      explainPopovers(table);
    }

    function saveAll() {
      columns.forEach(function (_col, c) { save(c); });
    }

    // --- events --------------------------------------------------------------------------------
    var current = -1;
    table.addEventListener("focusin", function (event) {
      var c = columnOf(event.target);
      if (current !== -1 && c !== current) save(current);
      current = c;
      if (position.has(event.target)) {
        event.target.select();
        event.target.dataset.fresh = "1";
      }
    });
    table.addEventListener("focusout", function (event) {
      if (event.relatedTarget && table.contains(event.relatedTarget)) return;
      if (current !== -1) save(current);
      current = -1;
    });
    table.addEventListener("mouseup", function (event) {
      var input = event.target;
      if (position.has(input) && input.dataset.fresh) {
        event.preventDefault();
        delete input.dataset.fresh;
      }
    });
    table.addEventListener("input", function (event) {
      var input = event.target;
      if (position.has(input)) {
        var caret = input.selectionStart;
        var text = normalize(input.value);
        if (text !== input.value) {
          input.value = text;
          input.setSelectionRange(caret, caret);
        }
        paint(input);
        touch(position.get(input)[1]);
      } else if (input.classList.contains("jr-max")) {
        touch(columnOf(input));
      }
    });
    table.addEventListener("change", function (event) {
      var select = event.target;
      if (!select.classList.contains("jr-kind")) return;
      var c = columnOf(select);
      var max = columns[c].max;
      if (max) max.hidden = select.value === "formative";
      touch(c);
    });
    table.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!position.has(input)) return;
      delete input.dataset.fresh;
      if (event.isComposing || event.altKey || event.metaKey) return;
      if (event.ctrlKey) {
        if (event.key === "s" || event.key === "S" || event.key === "ы" || event.key === "Ы") {
          event.preventDefault();
          saveAll();
        }
        return;
      }
      var target = null, handled = false;
      if (event.key.length === 1 && LETTER.test(event.key)) {
        event.preventDefault();
        var s = accepted[event.key.toUpperCase()];
        if (!s) {
          input.closest("td").classList.add("is-refused");
          setTimeout(function () { input.closest("td").classList.remove("is-refused"); }, 600);
          setStatus("error", status && status.dataset.textUnknownLetter);
          return;
        }
        input.value = (allSelected(input) ? "" : numberPart(input.value)) + shown[s];
        input.setSelectionRange(input.value.length, input.value.length);
        paint(input);
        touch(position.get(input)[1]);
        return;
      }
      if (event.key.length === 1 && !ALLOWED.test(event.key)) {
        event.preventDefault();
        return;
      }
      switch (event.key) {
        case "Enter":
          handled = true;
          target = vertical(input, event.shiftKey ? -1 : 1);
          if (!target) save(position.get(input)[1]);
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
        case "Delete":
          handled = true;
          if (input.value !== "") {
            input.value = "";
            paint(input);
            touch(position.get(input)[1]);
          }
          break;
        case "Escape":
          handled = true;
          if (input.value !== (input.dataset.saved || "")) {
            input.value = input.dataset.saved || "";
            paint(input);
            touch(position.get(input)[1]);
          }
          input.select();
          break;
      }
      if (handled) {
        event.preventDefault();
        go(target);
      }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S") && !position.has(event.target)) {
        event.preventDefault();
        saveAll();
      }
    });
    if (saveButton) saveButton.addEventListener("click", saveAll);
    window.addEventListener("beforeunload", function (event) {
      if (anyDirty()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    table.dataset.ready = "1";
  }

  function start() {
    document.querySelectorAll("table.journal-grid").forEach(function (table) {
      explainPopovers(table);
      if (table.classList.contains("is-editable")) initGrid(table);
      else table.dataset.ready = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
