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
