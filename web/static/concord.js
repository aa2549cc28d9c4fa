// Small helpers for pages; everything works without this file, it only adds conveniences.
"use strict";

// fetch() with the page's CSRF token, for forms and polling that talk to the JSON API as the signed-in user.
window.concordFetch = function (url, options) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
  if (meta) { opts.headers["X-CSRFToken"] = meta.content; }
  return fetch(url, opts);
};
