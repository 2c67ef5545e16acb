/* 百姓畅言亭: a live character counter, how many photos are chosen, and the poster's print
   button. Input and click events only (ACCESSIBILITY row 7); the server checks every limit
   again, so nothing here is needed for the form to work. */
(function () {
  "use strict";

  // Characters as the server counts them: code points, newlines as one.
  function length(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }

  function updateCounter(field) {
    var counter = document.getElementById(field.dataset.countTarget);
    if (!counter) return;
    var max = parseInt(field.dataset.countMax, 10);
    var count = length(field.value);
    var over = count > max;
    counter.textContent = over
      ? fill(counter.dataset.overText, { count: count, over: count - max })
      : fill(counter.dataset.countText, { count: count });
    counter.classList.toggle("counter-over", over);
  }

  function updatePhotos(input) {
    var status = document.getElementById(input.dataset.photoStatus);
    if (!status || !input.files) return;
    var chosen = input.files.length;
    var room = parseInt(input.dataset.photoRoom, 10);
    var template = chosen > room ? status.dataset.tooManyText : status.dataset.chosenText;
    if (template) status.textContent = fill(template, { count: chosen });
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.dataset && target.dataset.countMax) updateCounter(target);
    if (target.dataset && target.dataset.photoStatus) updatePhotos(target);
  });

  function init(root) {
    root.querySelectorAll("[data-count-max]").forEach(updateCounter);
  }
  init(document);
  // Fragments htmx puts in place (the form shown again with a message) get counters too.
  document.body.addEventListener("htmx:load", function (event) { init(event.detail.elt); });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
