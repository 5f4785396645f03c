// Registers the service worker (offline page, push notifications, app files cached for the next
// visit) and hands it the app files this page has already loaded.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var files = performance
          .getEntriesByType("resource")
          .map(function (entry) {
            return entry.name;
          })
          .filter(function (name) {
            return new URL(name).pathname.indexOf("/pkg/") === 0;
          });
        if (registration.active) registration.active.postMessage({ precache: files });
      })
      .catch(function (e) {
        console.warn("service worker not registered", e);
      });
  });
}
