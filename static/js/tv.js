/* The TV (votes/tv.html) follows the meeting over server-sent events. A browser without
   EventSource (a cheap smart TV's) would show the first display for ever: there the live
   part becomes the one that asks every second instead (…/state?v=N, votes/_tv.html, which
   answers 204 until the meeting changes and then a new live part that asks on). Deferred
   scripts run before DOMContentLoaded, where htmx first processes the page: it never sees
   the stream's attributes on such a browser. */
(function () {
  "use strict";
  if (typeof window.EventSource === "function") return;
  var live = document.getElementById("tv-live");
  if (!live || !live.getAttribute("data-poll-url")) return;
  ["hx-ext", "sse-connect", "sse-swap"].forEach(function (name) {
    live.removeAttribute(name);
  });
  live.setAttribute("hx-get", live.getAttribute("data-poll-url"));
  live.setAttribute("hx-trigger", "every 1s");
  live.setAttribute("hx-target", "this");
  live.setAttribute("hx-swap", "outerHTML");
})();
