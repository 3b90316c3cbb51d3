// On the claims page, until the worker has read the text for what it means: asks every five
// seconds (for up to three minutes) whether it has, and then says that the suggestions it
// makes are ready, with the link that shows them. The page is not reloaded by itself, so
// that criteria ticked but not yet saved are not lost.
(function () {
  "use strict";
  var box = document.querySelector("[data-reading]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-reading");
  var link = box.querySelector("[data-reading-link]");
  var tries = 36;

  function ready() {
    box.textContent = "Your text has been read for what it means, and the suggestions are updated: ";
    link.textContent = "show them";
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.hash = "suggested";
      window.location.reload();
    });
    box.appendChild(link);
    box.appendChild(document.createTextNode("."));
  }

  function look() {
    tries -= 1;
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (s) {
        if (s && s.read) { ready(); return; }
        if (tries > 0) { window.setTimeout(look, 5000); }
      })
      .catch(function () { if (tries > 0) { window.setTimeout(look, 10000); } });
  }
  window.setTimeout(look, 5000);
})();
