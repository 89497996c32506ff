/*
 * daybook's service worker. Served from /sw.js (so it controls the whole site)
 * by daybook.web.pwa, which replaces each quoted static path below with the
 * name the pages use (hashed once collected) and VERSION with a digest of the
 * result: a deploy that changes the shell renews the versioned caches.
 *
 * - Pages: network first; offline, the cached copy if any, else /offline/.
 * - Static files: cache first (their names change with their content).
 * - Saved articles: kept in their own cache, synced with /saved/?format=json on
 *   activation and whenever a page posts {type: "sync-saved"}.
 * - Never cached: anything but GET, other origins, /api/, /admin/, /accounts/,
 *   and any response that is not a plain same-origin 200.
 */
"use strict";

const VERSION = "__VERSION__";
const SHELL_CACHE = `daybook-shell-${VERSION}`;
const STATIC_CACHE = `daybook-static-${VERSION}`;
const PAGES_CACHE = `daybook-pages-${VERSION}`;
// Saved articles outlive deploys: a new version refreshes them instead of dropping them.
const SAVED_CACHE = "daybook-saved-v1";
const CURRENT_CACHES = [SHELL_CACHE, STATIC_CACHE, PAGES_CACHE, SAVED_CACHE];

const OFFLINE_URL = "/offline/";
const SAVED_URL = "/saved/";
const SAVED_LIST_URL = "/saved/?format=json";
const SHELL = [
  "/static/web/site.css",
  "/static/web/site.js",
  "/static/django_htmx/htmx-2.min.js",
  "/static/web/icons/icon.svg",
  "/static/web/icons/icon-192.png",
];
const STATIC_PREFIX = "/static/";
const PRIVATE_PREFIXES = ["/api/", "/admin/", "/accounts/"];
const ARTICLE_PATH = /^\/articles\/\d+\/$/;
const MAX_PAGES = 50;

function isPrivate(pathname) {
  return PRIVATE_PREFIXES.some((prefix) => pathname.startsWith(prefix));
}

// Only a plain 200 from this origin, reached without a redirect (a signed-out
// reader sent to the sign-in page must not have it cached as the page asked for).
function cacheable(response) {
  return (
    response.status === 200 &&
    response.type === "basic" &&
    !response.redirected &&
    !isPrivate(new URL(response.url).pathname)
  );
}

// Fetch a same-origin path and store it in `cache`; a failure keeps the old copy.
async function keep(cache, path) {
  try {
    const response = await fetch(path, { credentials: "same-origin", cache: "no-cache" });
    if (cacheable(response)) {
      await cache.put(path, response);
    }
  } catch (error) {
    // Offline or the server is down: whatever is cached stays.
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // Without the offline page the worker has nothing to fall back on: fail the install.
      await cache.add(OFFLINE_URL);
      await Promise.all(SHELL.map((path) => keep(cache, path)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("daybook-") && !CURRENT_CACHES.includes(name)) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
      // Saved pages name the old version's static files: fetch them all again.
      await syncSaved(true);
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "sync-saved") {
    event.waitUntil(syncSaved(false));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  // Private pages go through navigate() too, for the offline page; cacheable() keeps them out.
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(event));
  }
});

async function navigate(event) {
  const request = event.request;
  try {
    const response = await fetch(request);
    if (cacheable(response)) {
      event.waitUntil(remember(request.url, response.clone()));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true });
    return cached || (await caches.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
  }
}

// A visited page refreshes its saved copy if it is saved, else joins the page
// cache, which keeps only the most recently visited pages.
async function remember(url, response) {
  const saved = await caches.open(SAVED_CACHE);
  if (await saved.match(url, { ignoreVary: true })) {
    await saved.put(url, response);
    return;
  }
  const pages = await caches.open(PAGES_CACHE);
  await pages.put(url, response);
  const keys = await pages.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) {
    await pages.delete(old);
  }
}

async function staticFile(event) {
  const cached = await caches.match(event.request, { ignoreVary: true });
  if (cached) {
    return cached;
  }
  const response = await fetch(event.request);
  if (cacheable(response)) {
    const copy = response.clone();
    event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.put(event.request, copy)));
  }
  return response;
}

// One sync at a time: a second request waits for the first, then runs.
let syncing = Promise.resolve();

function syncSaved(refresh) {
  syncing = syncing.then(() => syncSavedNow(refresh)).catch(() => undefined);
  return syncing;
}

// The article path of one entry of the saved list, or null if it is not one of ours.
function articlePath(article) {
  if (!article || typeof article.url !== "string") {
    return null;
  }
  const url = new URL(article.url, self.location.origin);
  return url.origin === self.location.origin && ARTICLE_PATH.test(url.pathname)
    ? url.pathname
    : null;
}

// Make the saved cache hold exactly the reader's saved articles, and /saved/ and
// /offline/ (which lists them) as they are now. `refresh` fetches every article
// again; otherwise only the newly saved ones are fetched.
async function syncSavedNow(refresh) {
  let response;
  try {
    response = await fetch(SAVED_LIST_URL, {
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
  } catch (error) {
    return; // offline
  }
  // Signed out (a redirect to the sign-in page, opaque here, or a 403): what was kept
  // for the last reader is theirs, not the next person's on this device.
  if (response.type === "opaqueredirect" || response.status === 403) {
    await caches.delete(SAVED_CACHE);
    await caches.delete(PAGES_CACHE);
    return;
  }
  if (response.status !== 200 || response.type !== "basic") {
    return;
  }
  let data;
  try {
    data = await response.json();
  } catch (error) {
    return;
  }
  const wanted = new Set();
  for (const article of Array.isArray(data.articles) ? data.articles : []) {
    const path = articlePath(article);
    if (path) {
      wanted.add(path);
    }
  }
  const saved = await caches.open(SAVED_CACHE);
  for (const request of await saved.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== SAVED_URL && !wanted.has(path)) {
      await saved.delete(request);
    }
  }
  for (const path of wanted) {
    if (refresh || !(await saved.match(path, { ignoreVary: true }))) {
      await keep(saved, path);
    }
  }
  await keep(saved, SAVED_URL);
  await keep(await caches.open(SHELL_CACHE), OFFLINE_URL);
}
