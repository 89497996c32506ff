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

  // Install: offered once per browser, on the first page that can, and dismissible;
  // browsers that can install themselves fire beforeinstallprompt, kept for our button.
  const box = document.getElementById("install");
  const button = document.getElementById("install-button");
  const hint = document.getElementById("install-hint");
  const standalone = matchMedia("(display-mode: standalone)").matches;
  const seen = localStorage.getItem("daybook-install");
  let deferred = null;
  const offer = () => {
    if (!box || standalone || seen) return;  // seen: read before this page offered it
    box.hidden = false;
    localStorage.setItem("daybook-install", "offered");
  };
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event;
    if (button) button.hidden = false;
    if (hint) hint.hidden = true;
    offer();
  });
  offer();
  const dismiss = document.getElementById("install-dismiss");
  if (dismiss) {
    dismiss.addEventListener("click", () => {
      if (box) box.hidden = true;
      localStorage.setItem("daybook-install", "dismissed");
    });
  }
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
    if (box) box.hidden = true;
    localStorage.setItem("daybook-install", "installed");
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

  // Keyboard: j/k move between the items of a list, o or Enter opens one, s saves,
  // m marks read or unread, / searches, ? lists the keys. Focus moves to the item
  // itself, so a screen reader reads it and the focus ring shows where one is.
  const csrf = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  };
  const items = () => Array.from(document.querySelectorAll("main .card, main .story-card"));
  let current = -1;
  const focusItem = (index) => {
    const all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    const item = all[current];
    item.tabIndex = -1;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  };
  const focused = () => {
    const all = items();
    const found = all.indexOf(document.activeElement);
    if (found >= 0) current = found;
    return found >= 0 ? all[found] : null;
  };
  const post = (url, body) =>
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
      body: new URLSearchParams(body),
      credentials: "same-origin",
    });
  const toggleRead = (card) => {
    const id = card.dataset.article;
    if (!id || !csrf() || card.dataset.read === undefined) return;
    const read = card.dataset.read !== "true";
    post(`/articles/${id}/read`, { read: read ? "1" : "0" }).then((response) => {
      if (!response.ok) return;
      card.dataset.read = String(read);
      card.classList.toggle("is-read", read);
    });
  };
  const save = (card) => {
    const id = card ? card.dataset.article : null;
    const form = card ? null : document.querySelector("main form.bookmark-button");
    if (form) {
      form.requestSubmit();
    } else if (id && csrf()) {
      post(`/articles/${id}/bookmark`, {}).then((response) => {
        if (response.ok) syncSaved();
      });
    }
  };
  const keys = document.getElementById("keys");
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
    if (keys && keys.open) return;
    const card = focused();
    switch (event.key) {
      case "j":
        focusItem(card ? current + 1 : 0);
        break;
      case "k":
        focusItem(card ? current - 1 : 0);
        break;
      case "o":
      case "Enter": {
        if (!card) return;
        const link = card.querySelector("h3 a");
        if (link) link.click();
        break;
      }
      case "s":
        save(card);
        break;
      case "m":
        if (card) toggleRead(card);
        break;
      case "/": {
        const search = document.getElementById("site-q");
        if (search) search.focus();
        break;
      }
      case "?":
        if (keys && keys.showModal) keys.showModal();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
