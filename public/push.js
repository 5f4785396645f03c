// Turns on Web Push on this device when the user taps «Включить на этом устройстве» (browsers
// allow the permission prompt only after a tap): subscribe with the server's VAPID key (the
// button's data-key), then send the subscription to /api/push_subscribe. Delegated, so it works
// for pages rendered by the server and for pages the app navigates to.
(function () {
  function keyBytes(base64url) {
    var padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#push-enable");
    if (!button) return;
    var status = document.getElementById("push-status");
    function say(text) {
      if (status) status.textContent = text;
    }
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say("Этот браузер не поддерживает push-уведомления. На iPhone сначала добавьте Ключ на экран «Домой».");
      return;
    }
    button.disabled = true;
    say("Запрашиваем разрешение…");
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error("denied");
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.dataset.key),
        });
      })
      .then(function (subscription) {
        var json = subscription.toJSON();
        var form = new URLSearchParams();
        form.set("endpoint", json.endpoint);
        form.set("p256dh", json.keys.p256dh);
        form.set("auth", json.keys.auth);
        return fetch("/api/push_subscribe", {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
          body: form,
          credentials: "same-origin",
        });
      })
      .then(function (response) {
        if (!response.ok) throw new Error("server");
        say("Готово: уведомления будут приходить на это устройство.");
      })
      .catch(function (e) {
        button.disabled = false;
        say(e && e.message === "denied"
          ? "Уведомления запрещены в настройках браузера для этого сайта."
          : "Не получилось включить уведомления. Попробуйте ещё раз.");
      });
  });
})();
