/* 长者学堂: the print button on the sign-in sheet and the call list (click only). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
