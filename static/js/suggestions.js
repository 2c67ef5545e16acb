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

  // A box that holds more than it shows (a long text on the tablet's 请确认 screen): it takes
  // the keyboard focus, and its two buttons move the text by a boxful at a tap (no swipe).
  function markScrollBox(box) {
    var more = box.scrollHeight > box.clientHeight + 1;
    if (more) box.setAttribute("tabindex", "0");
    else box.removeAttribute("tabindex");
    var pager = document.querySelector('[data-scroll-pager="' + box.id + '"]');
    if (pager) {
      pager.hidden = !more;
      updatePager(box, pager);
    }
  }

  function updatePager(box, pager) {
    var atTop = box.scrollTop <= 0;
    var atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 1;
    pager.querySelectorAll("[data-scroll-step]").forEach(function (button) {
      var end = button.dataset.scrollStep === "-1" ? atTop : atEnd;
      button.disabled = end;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-scroll-step]");
    if (!button) return;
    var box = document.getElementById(button.getAttribute("aria-controls"));
    if (!box) return;
    var line = parseFloat(getComputedStyle(box).lineHeight) || 36;
    // A boxful less one line, so the last line read stays in sight.
    var step = Math.max(line, box.clientHeight - line);
    box.scrollTop += parseInt(button.dataset.scrollStep, 10) * step;
    updatePager(box, button.closest("[data-scroll-pager]"));
  });

  function init(root) {
    root.querySelectorAll("[data-count-max]").forEach(updateCounter);
    root.querySelectorAll("[data-scroll-box]").forEach(markScrollBox);
  }
  init(document);
  // Measured again once the fonts are in: they change how much a box holds.
  window.addEventListener("load", function () {
    document.querySelectorAll("[data-scroll-box]").forEach(markScrollBox);
  });
  // Fragments htmx puts in place (the form shown again with a message) get counters too.
  document.body.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
