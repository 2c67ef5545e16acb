/* 睦邻驿站 kiosk — the few things the browser must do alone: idle reset, read-aloud, the
   larger-text toggle, the status line, and the network banner. Click events only (row 7). */
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
    setTimeout(function () { announce(pending); }, 50);
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
        if (el.closest("[hidden]")) return;
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
    document.cookie = "large_text=" + (on ? "1; max-age=31536000" : "; max-age=0") + "; path=/; SameSite=Lax";
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
