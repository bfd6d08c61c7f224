// Deadlines: keeps each countdown right as days pass (the server renders it
// first; this only updates the text), and the print buttons of the 様式 pages.
(function () {
  "use strict";
  function todayJST() {
    var now = new Date(Date.now() + 9 * 3600 * 1000); // Japan time has no DST
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  }
  function update() {
    var today = todayJST();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var p = el.getAttribute("data-due").split("-");
      if (p.length !== 3) return;
      var due = Date.UTC(+p[0], +p[1] - 1, +p[2]);
      var days = Math.round((due - today) / 86400000);
      var text;
      if (days > 0) text = el.getAttribute("data-t-left").replace("{n}", days);
      else if (days === 0) text = el.getAttribute("data-t-today");
      else text = el.getAttribute("data-t-over").replace("{n}", -days);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("countdown-over", days < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    update();
    setInterval(update, 60 * 1000);
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
