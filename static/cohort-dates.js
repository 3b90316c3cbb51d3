// Choosing a cohort when enrolling fills the start and planned end dates still empty with
// the cohort's (each option carries them); the server does the same for dates left empty.
document.querySelectorAll("select[data-cohort-dates]").forEach((select) => {
  const form = select.form;
  select.addEventListener("change", () => {
    const chosen = select.selectedOptions[0];
    if (!chosen) return;
    for (const [name, key] of [["starts_on", "startsOn"], ["planned_end_on", "endsOn"]]) {
      const input = form.elements[name];
      if (input && !input.value && chosen.dataset[key]) input.value = chosen.dataset[key];
    }
  });
});
