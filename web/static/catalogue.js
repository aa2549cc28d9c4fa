// Catalogue conveniences: instant search results and column lineage without a page load.
// Everything here is optional: the form submits and the column links open the page without it.
"use strict";

(function () {
  function debounce(fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function instantSearch(form) {
    const target = document.getElementById("results");
    const box = form.querySelector("input[name=q]");
    let latest = 0;
    function refresh() {
      const params = new URLSearchParams(new FormData(form));
      params.delete("page");
      const ticket = ++latest;
      const url = form.dataset.results + "?" + params.toString() + "&instant=1";
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (ticket !== latest) { return; }  // an older answer arriving late must not win
          target.innerHTML = html;
          history.replaceState(null, "", form.action + "?" + params.toString());
        });
    }
    const later = debounce(refresh, 200);
    box.addEventListener("input", later);
    form.addEventListener("change", function (e) { if (e.target.type === "checkbox") { refresh(); } });
    form.addEventListener("click", function (e) {
      const link = e.target.closest("a.facet-link");
      if (!link) { return; }
      e.preventDefault();
      const box = link.closest("label").querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      refresh();
    });
  }

  function columnLineage(panel) {
    document.addEventListener("click", function (e) {
      const link = e.target.closest("a.column-link");
      if (!link) { return; }
      e.preventDefault();
      const column = link.dataset.column;
      const url = panel.dataset.url + "&column=" + encodeURIComponent(column);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          panel.innerHTML = html;
          document.querySelectorAll("table.schema tr.selected").forEach(function (tr) { tr.classList.remove("selected"); });
          link.closest("tr").classList.add("selected");
          history.replaceState(null, "", link.href);
          panel.scrollIntoView({ block: "nearest" });
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("catalogue-search");
    if (form) { instantSearch(form); }
    const panel = document.getElementById("column-lineage");
    if (panel) { columnLineage(panel); }
  });
})();
