/* 板凳议事会 — the minutes page's "打印" button (click only, ACCESSIBILITY row 7). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
