// Kakehashi report form: live classification while the user types. The
// form works without this script ("Check" re-renders it on the server).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report-form");
  const panel = document.getElementById("report-check");
  if (!form || !panel) return;
  const csrf = form.querySelector('input[name="csrf"]').value;
  let timer = null;
  let seq = 0;

  // showFieldMessages puts the fragment's problems next to their fields.
  const showFieldMessages = (root) => {
    form.querySelectorAll("[data-field-msg]").forEach((p) => p.remove());
    form.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute("aria-invalid"));
    root.querySelectorAll("li[data-field]").forEach((li) => {
      const name = li.dataset.field;
      if (!name) return;
      const input = form.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!input) return;
      const p = document.createElement("p");
      p.className = li.dataset.warning ? "field-warning" : "field-error";
      p.dataset.fieldMsg = name;
      p.textContent = li.querySelector(".msg").textContent;
      const box = input.closest(".report-field, .report-share") || input.parentElement;
      box.appendChild(p);
      if (!li.dataset.warning) input.setAttribute("aria-invalid", "true");
    });
  };

  const check = () => {
    const data = new FormData(form);
    data.delete("designs"); // the live check never uploads files
    data.delete("action");
    const mine = ++seq;
    fetch("/reports/check", {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf },
    }).then((r) => (r.ok ? r.text() : Promise.reject(r.status))).then((html) => {
      if (mine !== seq) return; // a newer check is under way
      const doc = new DOMParser().parseFromString(html, "text/html");
      const fresh = doc.getElementById("report-check");
      if (!fresh) return;
      const current = document.getElementById("report-check");
      current.replaceWith(document.importNode(fresh, true));
      showFieldMessages(fresh);
    }).catch(() => { /* the Check button still works */ });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
});
