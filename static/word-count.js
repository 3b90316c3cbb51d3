// Live word counts under text areas marked data-word-count, with how far the text is from its
// target (data-word-target) while the learner types; the page works without it, and each
// field's hint names its target.
document.querySelectorAll("textarea[data-word-count]").forEach((area) => {
  const counter = document.createElement("p");
  counter.className = "word-count";
  counter.id = area.id + "-count";
  counter.setAttribute("aria-live", "polite");
  area.insertAdjacentElement("afterend", counter);
  const described = area.getAttribute("aria-describedby");
  area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
  const target = Number(area.dataset.wordTarget) || 0;
  const update = () => {
    const words = area.value.trim() ? area.value.trim().split(/\s+/).length : 0;
    const count = words + (words === 1 ? " word" : " words");
    if (!target) {
      counter.textContent = count;
    } else if (words < target) {
      counter.textContent = `${count} of the ${target} to aim for: ${target - words} to go`;
    } else {
      counter.textContent = `${count}: the ${target} to aim for are reached`;
    }
    counter.classList.toggle("word-count-met", target > 0 && words >= target);
  };
  area.addEventListener("input", update);
  update();
});
