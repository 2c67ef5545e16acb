/* 睦邻驿站 kiosk — the few things the browser must do alone: idle reset, read-aloud, the
   larger-text toggle, the status line, the print buttons and the network banner. Loaded on
   every page (base.html). Click events only (row 7). */
(function () {
  "use strict";

  var body = document.body;
  var root = document.documentElement;
  var statusRegion = document.getElementById("status");

  function announce(text) {
    if (statusRegion && text) statusRegion.textContent = text;
  }

  // A message carried over a full page load (flash): written after load so it is announced.
  if (statusRegion && statusRegion.dataset.announce) {
    var pending = statusRegion.dataset.announce;
    setTimeout(function () {
      announce(pending);
      document.dispatchEvent(new CustomEvent("muling:relayout"));
    }, 50);
  }
  // A server can also announce through an HX-Trigger header: {"muling:status": "…"}.
  body.addEventListener("muling:status", function (event) {
    announce(event.detail && event.detail.value);
  });

  /* ---------- Idle reset on the shared tablet (ACCESSIBILITY.md rows 10 and 11) ---------- */
  var idleSeconds = parseInt(body.dataset.idleSeconds || "0", 10);
  var returnSeconds = parseInt(body.dataset.returnHomeSeconds || "0", 10);
  var dialog = document.getElementById("idle-dialog");
  var resetForm = document.getElementById("idle-reset");

  if ((idleSeconds > 0 || returnSeconds > 0) && resetForm) {
    var warningSeconds = parseInt(body.dataset.idleWarningSeconds || "30", 10);
    var lastTouch = Date.now();
    var warning = false;
    var expired = false;
    var countdown = dialog && dialog.querySelector("[data-idle-countdown]");

    var noteActivity = function () {
      if (expired) return;
      lastTouch = Date.now();
      if (warning) hideWarning();
    };
    // Not "change" or "focus": they also fire when the dialog takes the focus.
    ["click", "keydown", "input", "scroll", "wheel", "pointerup"].forEach(function (type) {
      document.addEventListener(type, noteActivity, { capture: true, passive: true });
    });

    var showWarning = function (remaining) {
      if (!warning) {
        warning = true;
        dialog.hidden = false;
        var button = dialog.querySelector("[data-idle-continue]");
        if (button) button.focus({ preventScroll: true });
      }
      if (countdown) countdown.textContent = String(remaining);
    };
    var hideWarning = function () {
      warning = false;
      dialog.hidden = true;
    };

    // Clear everything the person entered, on the screen and in the browser, then let the
    // server forget the session and show the home screen in Chinese.
    var expire = function () {
      if (expired) return;
      expired = true;
      document.querySelectorAll("input, textarea, select").forEach(function (field) {
        if (field.type === "hidden" || field.type === "submit" || field.type === "button") return;
        if (field.type === "checkbox" || field.type === "radio") field.checked = false;
        else if (field.tagName === "SELECT") field.selectedIndex = -1;
        else field.value = "";
      });
      var main = document.getElementById("main");
      if (main) main.hidden = true;
      if (dialog) dialog.hidden = true;
      try { sessionStorage.clear(); localStorage.clear(); } catch (e) { /* private mode */ }
      resetForm.submit();
    };

    setInterval(function () {
      var idle = (Date.now() - lastTouch) / 1000;
      if (returnSeconds > 0 && idle >= returnSeconds) { expire(); return; }
      if (idleSeconds <= 0 || !dialog) return;
      if (idle >= idleSeconds + warningSeconds) expire();
      else if (idle >= idleSeconds) showWarning(Math.ceil(idleSeconds + warningSeconds - idle));
    }, 1000);
  }

  /* ---------- Read aloud (row 16): only after a tap, hidden when there is no voice ---------- */
  var speakButton = document.querySelector("[data-read-aloud]");
  if (speakButton && "speechSynthesis" in window) {
    var speechLang = root.dataset.speechLang || "zh-CN";
    var prefix = speechLang.slice(0, 2).toLowerCase();
    var findVoice = function () {
      return window.speechSynthesis.getVoices().filter(function (voice) {
        return (voice.lang || "").toLowerCase().replace("_", "-").indexOf(prefix) === 0;
      })[0];
    };
    var showIfVoice = function () { speakButton.hidden = !findVoice(); };
    showIfVoice();
    window.speechSynthesis.onvoiceschanged = showIfVoice;

    var textToRead = function () {
      var scope = dialog && !dialog.hidden ? dialog : document.getElementById("main");
      var parts = [];
      scope.querySelectorAll("[data-speak], .dialog h2, .dialog p").forEach(function (el) {
        if (el.closest("[hidden]") || !el.getClientRects().length) return; // not on the screen
        var text = el.textContent.replace(/\s+/g, " ").trim();
        if (text && parts.indexOf(text) < 0) parts.push(text);
      });
      if (!parts.length) {
        var heading = scope.querySelector("h1, h2");
        if (heading) parts.push(heading.textContent.trim());
      }
      return parts.join("。 ");
    };
    speakButton.addEventListener("click", function () {
      var utterance = new window.SpeechSynthesisUtterance(textToRead());
      utterance.lang = speechLang;
      utterance.rate = 0.8; // a little slow
      var voice = findVoice();
      if (voice) utterance.voice = voice;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
    });
  }

  /* ---------- "大字" larger text (row 17): no reload, nothing typed is lost ---------- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggle-large]");
    if (!button) return;
    var on = root.classList.toggle("large-text");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    document.dispatchEvent(new CustomEvent("muling:relayout"));
    document.cookie = "large_text=" + (on ? "1; max-age=31536000" : "; max-age=0") + "; path=/; SameSite=Lax";
  });

  /* ---------- A print button ([data-print]): sign-in sheets, call lists, minutes ---------- */
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  /* ---------- The big keypad: digits into the field it belongs to ---------- */
  var formatKeypad = function (field, digits) {
    if (field.dataset.keypadKind !== "phone") return digits;
    return [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)].filter(Boolean).join(" ");
  };
  var setKeypad = function (field, digits) {
    var input = field.querySelector(".keypad-display");
    var max = parseInt(field.dataset.keypadMax || "11", 10);
    input.value = formatKeypad(field, digits.replace(/\D/g, "").slice(0, max));
  };
  document.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    var field = key && key.closest("[data-keypad]");
    if (!field) return;
    var digits = field.querySelector(".keypad-display").value.replace(/\D/g, "");
    var value = key.dataset.key;
    if (value === "clear") digits = "";
    else if (value === "back") digits = digits.slice(0, -1);
    else digits += value;
    setKeypad(field, digits);
  });
  document.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest("[data-keypad]");
    if (field && event.target.classList.contains("keypad-display")) setKeypad(field, event.target.value);
  });

  /* ---------- Lists in pages that fit the screen (no scrolling on a tablet, row 7) ---------- */
  // [data-fit-pages] holds the items ([data-fit-item], optionally in [data-fit-group]s that
  // hide with their last item) and a nav ([data-fit-nav]) with 上一页/下一页. On a tablet each
  // page holds as many items as fit without a scroll, worked out in this browser, at this size
  // and text size; on a phone, where scrolling up and down is fine, every item shows.
  var tablet = window.matchMedia("(min-width: 43rem) and (min-height: 37.5rem)");
  var overflows = function () {
    return document.documentElement.scrollHeight > window.innerHeight;
  };
  var fitPagers = [];
  var makeFitPager = function (box) {
    var items = Array.prototype.slice.call(box.querySelectorAll("[data-fit-item]"));
    var groups = box.querySelectorAll("[data-fit-group]");
    var list = box.querySelector("[data-fit-list]") || box;
    var nav = box.querySelector("[data-fit-nav]");
    var back = nav && nav.querySelector("[data-fit-prev]");
    var forward = nav && nav.querySelector("[data-fit-next]");
    var place = nav && nav.querySelector("[data-fit-place]");
    var pages = [[0, items.length]];
    var current = 0;

    var show = function (start, end) {
      items.forEach(function (item, i) { item.hidden = i < start || i >= end; });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-fit-item]:not([hidden])");
      });
    };
    var showPage = function (n) {
      current = Math.max(0, Math.min(n, pages.length - 1));
      show(pages[current][0], pages[current][1]);
      if (!nav) return;
      back.disabled = current === 0;
      forward.disabled = current === pages.length - 1;
      if (place) {
        place.textContent = place.dataset.template
          .replace("{page}", current + 1).replace("{pages}", pages.length);
      }
    };
    var layout = function () {
      var first = pages[current] ? pages[current][0] : 0;
      list.style.minHeight = "";
      pages = [[0, items.length]];
      show(0, items.length);
      if (nav) nav.hidden = true;
      if (!nav || !tablet.matches || items.length < 2 || !overflows()) { showPage(0); return; }
      nav.hidden = false;
      // Greedy: each page takes items until one more would make the screen scroll.
      pages = [];
      var tallest = 0;
      for (var start = 0; start < items.length;) {
        var end = start + 1;
        show(start, end);
        while (end < items.length) {
          show(start, end + 1);
          if (overflows()) break;
          end += 1;
        }
        show(start, end);
        // (A single item too tall for the screen does not make every page that tall.)
        if (!overflows()) tallest = Math.max(tallest, list.getBoundingClientRect().height);
        pages.push([start, end]);
        start = end;
      }
      if (pages.length < 2) {  // one item alone too tall: nothing to page through
        nav.hidden = true;
        showPage(0);
        return;
      }
      // Every page as tall as the tallest: the buttons below stay where the finger is.
      list.style.minHeight = tallest + "px";
      showPage(pages.findIndex(function (page) { return first >= page[0] && first < page[1]; }));
    };
    if (nav) {
      back.addEventListener("click", function () { showPage(current - 1); });
      forward.addEventListener("click", function () { showPage(current + 1); });
    }
    box.fitPager = true;
    fitPagers.push({ box: box, layout: layout });
    layout();
  };
  var startFitPagers = function (root) {
    if (root.matches && root.matches("[data-fit-pages]") && !root.fitPager) makeFitPager(root);
    root.querySelectorAll("[data-fit-pages]").forEach(function (box) {
      if (!box.fitPager) makeFitPager(box);
    });
  };

  /* ---------- A step in two screens, the name then the number, when one is too much ---------- */
  // On a tablet, when the name, the number and the keypad do not fit together (大字, staff mode
  // upright, error messages …), the step shows one part at a time: the name, then (下一步)
  // the number. The server says which part comes first (data-split: "number" when only the
  // number was wrong). Nothing typed is lost going back and forth: the parts are only hidden.
  var showPart = function (step, part) {
    step.dataset.showing = part;
    var name = step.querySelector("input[name='name']");
    step.querySelectorAll("[data-name-echo]").forEach(function (echo) {
      echo.textContent = name ? name.value.trim() : "";
    });
  };
  var fitSplit = function (step) {
    step.classList.remove("is-split");
    if (!tablet.matches || !overflows()) return;
    step.classList.add("is-split");
    showPart(step, step.dataset.showing || step.dataset.split);
  };
  var splits = [];
  var startSplits = function (root) {
    root.querySelectorAll("[data-split]").forEach(function (step) {
      if (splits.indexOf(step) < 0) splits.push(step);
      fitSplit(step);
    });
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-show-part]");
    var step = button && button.closest("[data-split]");
    if (!step) return;
    var part = button.dataset.showPart;
    showPart(step, part);
    var first = step.querySelector(part === "name" ? "input[name='name']" : ".keypad-display");
    if (first) first.focus({ preventScroll: true });
  });

  // Laid out again when the screen turns, 大字 is switched, the fonts arrive or a message
  // shows at the top.
  var relayout = function () {
    fitPagers = fitPagers.filter(function (pager) { return pager.box.isConnected; });
    fitPagers.forEach(function (pager) { pager.layout(); });
    splits = splits.filter(function (step) { return step.isConnected; });
    splits.forEach(fitSplit);
  };
  startFitPagers(document);
  startSplits(document);
  document.addEventListener("htmx:load", function (event) {
    startFitPagers(event.target);
    startSplits(event.target);
  });
  window.addEventListener("resize", relayout);
  document.addEventListener("muling:relayout", relayout);
  if (document.fonts) document.fonts.ready.then(relayout);

  /* ---------- A change to the screen never swallows a tap ---------- */
  // A tap is a press and a release on the same button. If the screen's own refresh (or another
  // tap's answer) replaces the button between the two, the browser sends the click nowhere and
  // the tap is lost: on the facilitator's screen, with phone ballots arriving every second, often.
  // So while a finger is down the page waits with its changes and makes them after the click
  // (two seconds at most: a hand resting on the screen must not freeze it).
  var pressed = null;
  var held = [];
  var release = function () {
    if (pressed) window.clearTimeout(pressed);
    pressed = null;
    var changes = held;
    held = [];
    changes.forEach(function (change) { change(); });
  };
  var releaseSoon = function (delay) {
    if (!pressed) return;
    window.clearTimeout(pressed);
    pressed = window.setTimeout(release, delay);
  };
  document.addEventListener("pointerdown", function () {
    if (pressed) window.clearTimeout(pressed);
    pressed = window.setTimeout(release, 2000);
  }, true);
  // The click comes after the release (on touch screens a little later): make the changes just
  // after it, or shortly after a release that makes no click (a swipe).
  document.addEventListener("click", function () { releaseSoon(0); }, true);
  document.addEventListener("pointerup", function () { releaseSoon(300); }, true);
  document.addEventListener("pointercancel", function () { releaseSoon(0); }, true);
  body.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!pressed || !detail.shouldSwap) return;
    event.preventDefault();
    var source = detail.requestConfig && detail.requestConfig.elt;
    var declared = source && source.closest && source.closest("[hx-swap]");
    var style = (detail.swapOverride || (declared && declared.getAttribute("hx-swap")) ||
                 "innerHTML").split(" ")[0];
    held.push(function () {
      if (detail.target.isConnected) {
        window.htmx.swap(detail.target, detail.serverResponse, { swapStyle: style });
      }
    });
  });

  /* ---------- Network failures: a banner with a retry; the form stays as it was ---------- */
  var banner = document.getElementById("network-banner");
  var failed = null;
  var showBanner = function (event) {
    var config = event.detail.requestConfig || {};
    failed = { elt: event.detail.elt, trigger: config.triggeringEvent };
    banner.hidden = false;
  };
  if (banner) {
    body.addEventListener("htmx:sendError", showBanner);
    body.addEventListener("htmx:timeout", showBanner);
    body.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) banner.hidden = true;
    });
    banner.querySelector("[data-network-retry]").addEventListener("click", function () {
      banner.hidden = true;
      var last = failed;
      failed = null;
      if (!last || !last.elt || !last.elt.isConnected) return;
      if (last.elt.tagName === "FORM") {
        var submitter = last.trigger && last.trigger.submitter;
        if (submitter && submitter.isConnected) last.elt.requestSubmit(submitter);
        else last.elt.requestSubmit();
      } else {
        window.htmx.trigger(last.elt, (last.trigger && last.trigger.type) || "click");
      }
    });
  }
})();
