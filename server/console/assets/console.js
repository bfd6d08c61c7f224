// Kakehashi console: progressive enhancement only. Every flow works without
// this script; it adds conveniences where script helps.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: <button data-copy="text">.
  document.querySelectorAll("button[data-copy]").forEach((b) => {
    b.hidden = false;
    b.addEventListener("click", () => {
      navigator.clipboard.writeText(b.dataset.copy).then(() => {
        b.dataset.done = "1";
        setTimeout(() => delete b.dataset.done, 1500);
      });
    });
  });
});
