// "Copy" beside a hash copies the whole value. Without this script the button stays hidden
// and the hash is a read-only field: select it and copy it as any text.
if (navigator.clipboard) {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const label = button.firstChild;
      try {
        await navigator.clipboard.writeText(field.value);
        label.textContent = "Copied";
      } catch {
        field.select();
        label.textContent = "Select and copy";
      }
      setTimeout(() => { label.textContent = "Copy"; }, 2000);
    });
  });
}
