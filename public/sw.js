// Ключ service worker: an offline page for navigations when the network is down, and a cache of
// the content-hashed app files. Pages themselves are never cached (they carry personal data).
const VERSION = "klyuch-v2";
const SHELL = ["/offline.html", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline.html")));
    return;
  }
  if (url.pathname.startsWith("/pkg/") || url.pathname.startsWith("/icons/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(VERSION).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
  }
});

// Once the worker is active the page lists the app files it loaded (main module, its js, the css,
// chunks): they were fetched before the worker controlled the page, so it caches them now and the
// next visit loads them from here. Every /pkg name is content-addressed (a release has new names).
self.addEventListener("message", (event) => {
  const files = ((event.data && event.data.precache) || []).filter((file) => {
    const url = new URL(file, self.location.origin);
    return url.origin === self.location.origin && url.pathname.startsWith("/pkg/");
  });
  event.waitUntil(
    caches.open(VERSION).then((cache) =>
      Promise.all(files.map((file) => cache.match(file).then((hit) => hit || cache.add(file).catch(() => {}))))
    )
  );
});

// Web Push: the server sends {title, body, url, tag} encrypted (aes128gcm); the browser decrypts.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Ключ", {
      body: data.body || "",
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      tag: data.tag,
      data: { url: data.url || "/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).origin === url.origin && "focus" in w) {
          w.navigate(url.href);
          return w.focus();
        }
      }
      return self.clients.openWindow(url.href);
    })
  );
});
