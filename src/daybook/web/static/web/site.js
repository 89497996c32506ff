// daybook's only script besides htmx: theme, install prompt, service worker.
// Loaded as a file (the CSP forbids inline script); everything works without it.
(() => {
  "use strict";
  const root = document.documentElement;

  // Dark mode: follows the system unless the reader chose, and remembers the choice.
  const stored = localStorage.getItem("daybook-theme");
  if (stored) root.dataset.theme = stored;
  const toggle = document.getElementById("theme-toggle");
  const isDark = () =>
    root.dataset.theme === "dark" ||
    (!root.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);
  const showTheme = () => toggle && toggle.setAttribute("aria-pressed", String(isDark()));
  if (toggle) {
    showTheme();
    toggle.addEventListener("click", () => {
      root.dataset.theme = isDark() ? "light" : "dark";
      localStorage.setItem("daybook-theme", root.dataset.theme);
      showTheme();
    });
  }

  // Install: browsers that offer it fire beforeinstallprompt; keep it for our button.
  let deferred = null;
  const button = document.getElementById("install-button");
  const hint = document.getElementById("install-hint");
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    if (button) button.hidden = false;
    if (hint) hint.hidden = true;
  });
  if (button) {
    button.addEventListener("click", async () => {
      if (!deferred) return;
      deferred.prompt();
      await deferred.userChoice;
      deferred = null;
      button.hidden = true;
    });
  }
  window.addEventListener("appinstalled", () => {
    const box = document.getElementById("install");
    if (box) box.hidden = true;
  });

  // A publisher's image that fails to load leaves no empty frame behind, whether
  // it failed before this script ran or fails later.
  const hideBroken = (image) => {
    if (image.complete && image.naturalWidth === 0) image.hidden = true;
  };
  document.querySelectorAll("img").forEach(hideBroken);
  document.addEventListener(
    "error",
    (event) => {
      if (event.target instanceof HTMLImageElement) event.target.hidden = true;
    },
    true,
  );

  // Offline: the service worker keeps saved articles; tell it when they change.
  const syncSaved = () => {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "sync-saved" });
    }
  };
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => {
      navigator.serviceWorker.ready.then(syncSaved);
    }).catch(() => {});
  }
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const path = event.detail && event.detail.pathInfo && event.detail.pathInfo.requestPath;
    if (path && path.includes("/bookmark")) syncSaved();
  });
})();
