// The workspace's own script (no inline script on any page: the Content-Security-Policy forbids it).
// htmx (from django-htmx) does the searching as you type; this file only adds small conveniences.
"use strict";
document.addEventListener("keydown", (ev) => {
  // "/" puts the cursor into the search box, as in most search-first tools
  if (ev.key === "/" && !(ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement)) {
    const q = document.getElementById("q");
    if (q) { ev.preventDefault(); q.focus(); }
  }
});
// The dashboard editor works without script; these only save a click and hide what the renderer ignores.
document.addEventListener("change", (ev) => {
  const el = ev.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  if (el instanceof HTMLInputElement && el.name === "renderer") showRendererFields(el.form);
});
document.addEventListener("submit", (ev) => {
  const button = ev.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) ev.preventDefault();
});
function showRendererFields(form) {
  if (!form) return;
  const chosen = form.querySelector("input[name=renderer]:checked");
  for (const el of form.querySelectorAll("[data-for]")) el.hidden = !chosen || el.dataset.for !== chosen.value;
}
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll(".js-hide")) el.hidden = true;
  for (const form of document.querySelectorAll("[data-testid=tile-add]")) showRendererFields(form);
});
