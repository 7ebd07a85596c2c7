// Progressive enhancement only: every page works without this file.
document.documentElement.classList.remove("no-js");

// An import's status page polls for progress while the file loads, instead of asking the person to reload.
(function () {
  var panel = document.querySelector("[data-progress-url]");
  if (!panel) return;
  var bar = panel.querySelector("progress");
  var label = panel.querySelector("[data-progress-label]");
  function poll() {
    fetch(panel.getAttribute("data-progress-url") + "?format=json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (bar) bar.value = data.percent;
        if (label) label.textContent = data.status_label + " — " + data.rows_done + (data.rows_total ? " / " + data.rows_total : "");
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
