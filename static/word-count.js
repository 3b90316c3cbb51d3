// Live word counts under text areas marked data-word-count; the page works without it.
document.querySelectorAll("textarea[data-word-count]").forEach((area) => {
  const counter = document.createElement("p");
  counter.className = "word-count";
  counter.id = area.id + "-count";
  counter.setAttribute("aria-live", "polite");
  area.insertAdjacentElement("afterend", counter);
  const described = area.getAttribute("aria-describedby");
  area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
  const update = () => {
    const words = area.value.trim() ? area.value.trim().split(/\s+/).length : 0;
    counter.textContent = words + (words === 1 ? " word" : " words");
  };
  area.addEventListener("input", update);
  update();
});
