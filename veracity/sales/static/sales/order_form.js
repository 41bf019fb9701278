// Order form: add and remove line rows of the Django formset (prefix "lines"). No inline scripts (CSP).
(function () {
  "use strict";

  const form = document.querySelector("[data-order-form]");
  if (!form) return;
  const rows = form.querySelector("[data-line-rows]");
  const template = form.querySelector("[data-line-template]");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");

  // With JavaScript, the "Remove" checkbox becomes a button that hides the row.
  function enhance(row) {
    const checkboxWrap = row.querySelector("[data-line-delete]");
    const button = row.querySelector("[data-line-remove]");
    if (!checkboxWrap || !button) return;
    checkboxWrap.classList.add("d-none");
    button.classList.remove("d-none");
    const checkbox = checkboxWrap.querySelector("input[type='checkbox']");
    if (checkbox && checkbox.checked) row.classList.add("d-none");
  }

  function visibleRows() {
    return Array.from(rows.querySelectorAll("[data-line-row]")).filter(function (row) {
      return !row.classList.contains("d-none");
    });
  }

  rows.querySelectorAll("[data-line-row]").forEach(enhance);

  form.querySelector("[data-line-add]").addEventListener("click", function () {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = rows.lastElementChild;
    enhance(row);
    const first = row.querySelector("select, input:not([type='hidden'])");
    if (first) first.focus();
  });

  rows.addEventListener("click", function (event) {
    const button = event.target.closest("[data-line-remove]");
    if (!button) return;
    const row = button.closest("[data-line-row]");
    const checkbox = row.querySelector("[data-line-delete] input[type='checkbox']");
    if (checkbox) checkbox.checked = true;
    row.classList.add("d-none");
    if (visibleRows().length === 0) form.querySelector("[data-line-add]").click();
  });
})();
