/* Spreadsheet-like moving between the inputs of a grid, shared by the report grid (grid.js) and
 * the journal grid (journal/journal.js). ``BilimGridNav(matrix)`` takes rows of inputs (null where
 * a cell has none) and returns where each input stands and how to find its neighbours:
 * vertical / horizontal skip the empty cells of the column / row, sequential follows the reading
 * order (Tab), atStart / atEnd tell whether the caret is at an edge of the text (← → leave the
 * cell only there), go focuses and selects. */
(function () {
  "use strict";

  window.BilimGridNav = function (matrix) {
    var position = new Map();
    var order = [];
    matrix.forEach(function (row, r) {
      row.forEach(function (input, c) {
        if (input) { position.set(input, [r, c]); order.push(input); }
      });
    });
    function allSelected(input) {
      return input.value.length > 0 && input.selectionStart === 0 && input.selectionEnd === input.value.length;
    }
    return {
      position: position,
      order: order,
      allSelected: allSelected,
      vertical: function (input, step) {
        var p = position.get(input);
        for (var r = p[0] + step; r >= 0 && r < matrix.length; r += step) {
          if (matrix[r][p[1]]) return matrix[r][p[1]];
        }
        return null;
      },
      horizontal: function (input, step) {
        var p = position.get(input), row = matrix[p[0]];
        for (var c = p[1] + step; c >= 0 && c < row.length; c += step) {
          if (row[c]) return row[c];
        }
        return null;
      },
      sequential: function (input, step) {
        return order[order.indexOf(input) + step] || null;
      },
      atStart: function (input) {
        return (input.selectionStart === 0 && input.selectionEnd === 0) || allSelected(input);
      },
      atEnd: function (input) {
        var n = input.value.length;
        return (input.selectionStart === n && input.selectionEnd === n) || allSelected(input);
      },
      go: function (target) {
        if (!target) return;
        target.focus();
        target.select();
      }
    };
  };
})();
