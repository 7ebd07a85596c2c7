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

// USWDS's file input writes its instructions, headings and screen-reader messages in English, and lets a page
// change only the wrong-type error (data-errormessage). Each file input carries the others in the page's language
// (touchstone/core/forms.py file_input_texts); they replace USWDS's English whenever it writes them.
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-drag-text]");
  if (!inputs.length) return;
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }
  function put(node, property, value) {
    if (node && value !== undefined && node[property] !== value) node[property] = value;
  }
  function translate(input) {
    var texts = input.dataset;
    var box = input.closest(".usa-file-input");
    if (!box || box === input) return; // USWDS has not built the component yet
    var multiple = input.hasAttribute("multiple");
    var english = {
      drag: (multiple ? "Drag files here or" : "Drag file here or") + " choose from folder",
      alone: "Choose from folder"
    };
    var ours = { drag: texts.dragText + " " + texts.chooseText, alone: texts.chooseTextAlone };
    var drag = box.querySelector(".usa-file-input__drag-text");
    put(drag, "textContent", texts.dragText);
    put(box.querySelector(".usa-file-input__instructions .usa-file-input__choose"), "textContent",
      drag ? texts.chooseText : texts.chooseTextAlone);
    var heading = box.querySelector(".usa-file-input__preview-heading");
    if (heading && heading.firstChild && heading.firstChild.nodeType === Node.TEXT_NODE) {
      var count = input.files ? input.files.length : 0;
      var many = count > 1;
      put(heading.firstChild, "nodeValue", (many ? fill(texts.selectedMany, { count: count }) : texts.selectedOne) + " ");
      put(heading.querySelector(".usa-file-input__choose"), "textContent", many ? texts.changeMany : texts.changeOne);
    }
    var label = input.getAttribute("aria-label") || "";
    var translated = label
      .split(english.drag).join(ours.drag)
      .split(english.alone).join(ours.alone);
    if (translated === "Change files") translated = texts.changeMany;
    else if (translated === "Change file") translated = texts.changeOne;
    if (label && translated !== label) input.setAttribute("aria-label", translated);
    var status = box.querySelector(".usa-sr-only");
    if (status) {
      var said = status.textContent, match;
      if (said === "No file selected." || said === "No files selected.") {
        put(status, "textContent", texts.statusNone);
      } else if ((match = /^You have selected the file: ([\s\S]*)$/.exec(said))) {
        put(status, "textContent", fill(texts.statusOne, { name: match[1] }));
      } else if ((match = /^You have selected (\d+) files: ([\s\S]*)$/.exec(said))) {
        put(status, "textContent", fill(texts.statusMany, { count: match[1], names: match[2] }));
      }
    }
  }
  function watch() {
    inputs.forEach(function (input) {
      translate(input);
      var area = input.closest(".usa-form-group") || input.parentNode.parentNode || document.body;
      new MutationObserver(function () { translate(input); }).observe(area, {
        subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["aria-label"]
      });
    });
  }
  // USWDS builds the component when the document is parsed, just before this runs.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
