// Registers the service worker (offline page now, push notifications later).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (e) {
      console.warn("service worker not registered", e);
    });
  });
}
