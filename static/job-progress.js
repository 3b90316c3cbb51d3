// Follows a background job on the page: asks its status URL every two seconds, moves the
// progress bar and the words beside it, and reloads the page once the job has finished. A
// page whose finished job makes a download (data-job-ready: its address) offers the link
// instead: reloading it would start the download and leave the page saying "Running".
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("[data-job-bar]");
  var text = box.querySelector("[data-job-text]");
  var url = box.getAttribute("data-job-status");

  function describe(s) {
    var count = s.total ? ": " + s.done + " of " + s.total + " done" : "";
    if (s.state === "queued") { return "Waiting for a worker" + count + "."; }
    if (s.state === "running") { return "Running" + count + "."; }
    return s.state === "done" ? "Done." : "Failed.";
  }

  function offer(href) {
    var words = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = box.getAttribute("data-job-ready-text") || "It is ready.";
    words.appendChild(strong);
    var link = document.createElement("a");
    link.className = "button";
    link.href = href;
    link.textContent = box.getAttribute("data-job-ready-link") || "Download";
    box.replaceChildren(words, link);
  }

  function look() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (s.finished) {
          var ready = box.getAttribute("data-job-ready");
          if (ready && s.state === "done") { offer(ready); } else { window.location.reload(); }
          return;
        }
        if (s.total) { bar.max = s.total; bar.value = s.done; bar.textContent = s.percent + "%"; }
        var words = describe(s);
        if (text.textContent !== words) { text.textContent = words; }
        window.setTimeout(look, 2000);
      })
      .catch(function () { window.setTimeout(look, 5000); });
  }
  window.setTimeout(look, 1000);
})();
