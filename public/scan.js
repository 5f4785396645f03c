// The guard's camera: a tap on [data-scan-start] opens the device's back camera in the
// [data-scanner] box, reads a pass's QR code from the picture and puts what it holds into the
// form's [data-scan-target] field, then sends the form (the check). The browser's own
// BarcodeDetector reads it where there is one; elsewhere the jsQR decoder shipped with Ключ
// (/vendor/jsqr-1.4.0.js, Apache-2.0) is loaded on first use. Nothing leaves the device but the
// code read.
(function () {
  if (window.klyuchScanner) return;
  window.klyuchScanner = true;

  var EVERY_MS = 150;
  var scanning = null;

  function note(box, text) {
    var p = box.querySelector("[data-scan-note]");
    if (p) p.textContent = text || "";
  }

  function stop() {
    if (!scanning) return;
    clearTimeout(scanning.timer);
    scanning.stream.getTracks().forEach(function (t) { t.stop(); });
    scanning.video.srcObject = null;
    scanning.box.hidden = true;
    scanning = null;
  }

  var jsqr = null;
  function loadJsqr() {
    if (!jsqr) {
      jsqr = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = "/vendor/jsqr-1.4.0.js";
        s.onload = function () { resolve(window.jsQR); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return jsqr;
  }

  // a function from the video to a promise of the text read (or null)
  function decoder() {
    var canvas = document.createElement("canvas");
    var fallback = function () {
      return loadJsqr().then(function (read) {
        return function (video) {
          var w = video.videoWidth, h = video.videoHeight;
          if (!w || !h) return Promise.resolve(null);
          canvas.width = w;
          canvas.height = h;
          var ctx = canvas.getContext("2d", { willReadFrequently: true });
          ctx.drawImage(video, 0, 0, w, h);
          var code = read(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
          return Promise.resolve(code ? code.data : null);
        };
      });
    };
    if (!("BarcodeDetector" in window)) return fallback();
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) return fallback();
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (video) {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }, fallback);
  }

  function found(box, text) {
    var form = box.closest("form");
    var field = form && form.querySelector("[data-scan-target]");
    stop();
    if (!field) return;
    field.value = text;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function start(box) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note(box, "Камера недоступна в этом браузере (нужен https). Введите код пропуска вручную.");
      box.hidden = false;
      return;
    }
    box.hidden = false;
    note(box, "Наведите камеру на QR-код пропуска…");
    var video = box.querySelector("video");
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.setAttribute("playsinline", "");
        scanning = { stream: stream, video: video, box: box, timer: 0 };
        return video.play().then(decoder).then(function (read) {
          var tick = function () {
            if (!scanning || scanning.video !== video) return;
            // the page changed under the scanner: the camera goes off
            if (!video.isConnected) return stop();
            read(video).then(function (text) {
              if (!scanning || scanning.video !== video) return;
              if (text) found(box, text);
              else scanning.timer = setTimeout(tick, EVERY_MS);
            }, function () {
              if (scanning) scanning.timer = setTimeout(tick, EVERY_MS);
            });
          };
          tick();
        });
      })
      .catch(function (e) {
        stop();
        box.hidden = false;
        note(box, e && e.name === "NotAllowedError"
          ? "Разрешите доступ к камере в настройках браузера или введите код вручную."
          : "Камера не включилась. Введите код пропуска или номер машины вручную.");
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-scan-start],[data-scan-stop]");
    if (!button) return;
    event.preventDefault();
    var form = button.closest("form");
    var box = form && form.querySelector("[data-scanner]");
    if (!box) return;
    if (button.hasAttribute("data-scan-stop")) stop();
    else if (!scanning) start(box);
  });

  // leaving the page (or the app going to the background) turns the camera off
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop();
  });
  window.addEventListener("pagehide", stop);
})();
