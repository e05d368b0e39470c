// Rows of the Django formsets on the questionnaire and office forms, added and removed in the page:
// "add" clones the row template (__prefix__ → the next index) and raises TOTAL_FORMS; "remove" ticks
// the row's DELETE box and hides the row (the server skips it). The words are in the templates.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-formset]").forEach((box) => {
    const prefix = box.dataset.formset;
    const total = box.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const rows = box.querySelector(".formset-rows");
    const template = box.querySelector("template");
    const add = box.querySelector(".formset-add");
    if (!total || !rows || !template || !add) return;
    add.addEventListener("click", () => {
      const index = Number(total.value);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
      total.value = String(index + 1);
      const first = rows.lastElementChild && rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
    box.addEventListener("click", (event) => {
      const button = event.target.closest(".formset-remove");
      if (!button) return;
      const row = button.closest(".formset-row");
      const remove = row.querySelector('input[name$="-DELETE"]');
      if (remove) remove.checked = true;
      row.classList.add("d-none");
      add.focus();
    });
  });
});
