// Registers the service worker (offline page, push notifications).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (e) {
      console.warn("service worker not registered", e);
    });
  });
}
