// "Add another entry" on the incident log adds an empty row in place, with the focus in it,
// instead of sending the form and reloading the page at the top. Without this script the
// button still works: the server answers with one more row and the address's #fragment
// brings the page back to it.
document.querySelectorAll("button[name=add_row]").forEach((button) => {
  button.addEventListener("click", (event) => {
    const fieldset = button.closest("fieldset");
    const rows = fieldset.querySelectorAll(".row-group");
    if (!rows.length) return;
    event.preventDefault();
    const list = button.value; // the FieldList's name: "communications" or "resources"
    const indices = Array.from(fieldset.querySelectorAll(`[name^="${list}-"]`), (el) =>
      Number(el.name.split("-")[1]),
    );
    const index = Math.max(-1, ...indices) + 1;
    const number = rows.length + 1;
    const pattern = new RegExp(`\\b${list}-\\d+-`, "g");
    const row = rows[rows.length - 1].cloneNode(true);
    row.id = `${list}-row-${number}`;
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach((el) => {
      for (const attribute of ["id", "name", "for", "aria-describedby"]) {
        const value = el.getAttribute(attribute);
        if (value) el.setAttribute(attribute, value.replace(pattern, `${list}-${index}-`));
      }
    });
    // An empty row: no values, no ticks, none of the copied row's errors.
    row.querySelectorAll("input, textarea").forEach((el) => {
      if (el.type === "checkbox") el.checked = false;
      else el.value = "";
      el.removeAttribute("value");
      el.removeAttribute("checked");
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll("select").forEach((el) => {
      el.querySelectorAll("option").forEach((option) => option.removeAttribute("selected"));
      el.selectedIndex = 0;
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".error-message").forEach((el) => el.remove());
    row.querySelectorAll(".field-error").forEach((el) => el.classList.remove("field-error"));
    row.querySelectorAll("[aria-describedby]").forEach((el) => {
      const ids = el.getAttribute("aria-describedby").split(" ").filter((id) => !id.endsWith("-error"));
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    });
    const title = row.querySelector(".row-title");
    if (title) title.textContent = title.textContent.replace(/\d+$/, String(number));
    rows[rows.length - 1].after(row);
    row.querySelector("input, select, textarea").focus();
  });
});
