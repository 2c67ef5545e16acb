/* 板凳议事会 — click handlers only (ACCESSIBILITY row 7). (The minutes page's "打印"
   button is kiosk.js's [data-print].) A screen that pages a list ([data-paged]) holds as
   many as fit its text size: when "大字" is switched there (kiosk.js has already set the
   cookie), load it again so the page holds what fits now. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-toggle-large]") && document.querySelector("[data-paged]")) {
      window.location.reload();
    }
  });
})();
