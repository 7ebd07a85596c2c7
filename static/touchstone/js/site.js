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

// Survey conditional questions: without JavaScript every question shows and the server ignores the ones that
// do not apply; with it, a question appears only when the earlier answer it depends on matches.
(function () {
  var dependents = document.querySelectorAll("[data-show-if-question]");
  if (!dependents.length) return;
  function answerOf(key) {
    var inputs = document.querySelectorAll('[name="' + key + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value);
    });
    return values;
  }
  function update() {
    dependents.forEach(function (group) {
      var wanted = group.getAttribute("data-show-if-values").split(",");
      var shown = answerOf(group.getAttribute("data-show-if-question")).some(function (v) { return wanted.indexOf(v) >= 0; });
      group.classList.toggle("is-hidden", !shown);
    });
  }
  document.addEventListener("change", update);
  update();
})();
