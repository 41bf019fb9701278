// Veracity's small amount of page behaviour. Loaded on every page; no inline scripts (CSP).
(function () {
  "use strict";

  // Sidebar on small screens.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-app-toggle='sidebar']");
    if (toggle) {
      document.body.classList.toggle("sidebar-open");
    }
  });

  // <select data-autosubmit> submits its form when changed (language switch, saved views).
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.submit();
    }
  });

  // Close the global search results with Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      const results = document.getElementById("search-results");
      if (results) results.innerHTML = "";
    }
  });
  document.addEventListener("click", function (event) {
    const results = document.getElementById("search-results");
    if (results && !event.target.closest(".app-search")) results.innerHTML = "";
  });

  // Confirm dangerous buttons: <button data-confirm="Delete this?">.
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Register the service worker so the app can be installed as a PWA.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
})();
