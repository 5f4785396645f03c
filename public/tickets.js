// Ticket files on a phone's connection: each chosen file is uploaded at once in chunks of
// 512 KB (POST /uploads, then PUT /uploads/<token>?offset=N), with a progress bar. A chunk that
// fails is sent again after a pause (1, 2, 4 … 30 s), starting from what the server says it
// has; when the phone comes back online the upload goes on. A finished file becomes a hidden
// `upload` field of the form, so the form itself carries no file and the ticket is saved with
// its files in one step. Without this script the files go with the form.
(function () {
  var CHUNK = 512 * 1024;
  var MAX_TRIES = 8;
  var waiting = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function size(n) {
    return n < 1048576 ? Math.ceil(n / 1024) + " КБ" : (n / 1048576).toFixed(1).replace(".", ",") + " МБ";
  }

  function request(method, url, body, onProgress, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.timeout = 60000;
    if (typeof body === "string") xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    if (onProgress && xhr.upload) xhr.upload.onprogress = onProgress;
    xhr.onload = function () {
      var answer = {};
      // a refusal is the server's Russian message as plain text
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = { error: xhr.responseText }; }
      done(xhr.status, answer);
    };
    xhr.onerror = xhr.ontimeout = function () { done(0, {}); };
    xhr.send(body);
  }

  function upload(file, list) {
    var li = el("li", "rounded-lg border border-slate-200 bg-white p-2 text-sm");
    li.dataset.state = "uploading";
    li.setAttribute("data-testid", "upload-item");
    var head = el("div", "flex items-center justify-between gap-2");
    head.appendChild(el("span", "truncate", file.name + " · " + size(file.size)));
    var remove = el("button", "shrink-0 text-xs text-slate-500 underline", "Убрать");
    remove.type = "button";
    head.appendChild(remove);
    var bar = el("div", "mt-1 h-2 overflow-hidden rounded bg-slate-200");
    var fill = el("div", "h-2 bg-teal-600 transition-all");
    fill.style.width = "0%";
    bar.appendChild(fill);
    var status = el("p", "mt-1 text-xs text-slate-600", "Загрузка…");
    status.setAttribute("role", "status");
    var retry = el("button", "mt-1 hidden text-xs font-medium text-teal-700 underline", "Повторить");
    retry.type = "button";
    li.appendChild(head);
    li.appendChild(bar);
    li.appendChild(status);
    li.appendChild(retry);
    list.appendChild(li);

    var token = null;
    var tries = 0;
    var stopped = false;

    function show(state, text, tone) {
      li.dataset.state = state;
      status.textContent = text;
      status.className = "mt-1 text-xs " + (tone || "text-slate-600");
      retry.classList.toggle("hidden", state !== "failed");
    }

    function progress(received) {
      fill.style.width = Math.min(100, Math.round((received / file.size) * 100)) + "%";
    }

    function again() {
      tries += 1;
      if (tries > MAX_TRIES) {
        show("failed", "Нет связи — файл не загружен.", "text-red-700");
        waiting.push(resume);
        return;
      }
      var pause = Math.min(30000, 1000 * Math.pow(2, tries - 1));
      show("uploading", "Связь прервалась — повтор через " + Math.round(pause / 1000) + " с…", "text-amber-700");
      setTimeout(resume, pause);
    }

    function resume() {
      if (stopped) return;
      if (!token) return begin();
      request("GET", "/uploads/" + token, null, null, function (code, answer) {
        if (code === 200 && answer.done) return finished(answer);
        if (code === 200) return send(answer.received);
        if (code === 404) { token = null; return begin(); }
        again();
      });
    }

    function refused(answer) {
      show("refused", answer.error || "Файл не принят.", "text-red-700");
      fill.className = "h-2 bg-red-500";
    }

    function begin() {
      var body = "name=" + encodeURIComponent(file.name) + "&size=" + file.size;
      request("POST", "/uploads", body, null, function (code, answer) {
        if (code === 200 && answer.token) { token = answer.token; return send(0); }
        if (code >= 400 && code < 500) return refused(answer);
        again();
      });
    }

    function send(offset) {
      if (stopped) return;
      progress(offset);
      var chunk = file.slice(offset, offset + CHUNK);
      request("PUT", "/uploads/" + token + "?offset=" + offset, chunk, function (e) {
        if (e.lengthComputable) progress(offset + e.loaded);
      }, function (code, answer) {
        if (code === 200 && answer.done) return finished(answer);
        if (code === 200 || code === 409) { tries = 0; return send(answer.received); }
        if (code >= 400 && code < 500) return refused(answer);
        again();
      });
    }

    function finished() {
      progress(file.size);
      show("done", "Загружено", "text-teal-700");
      var field = el("input");
      field.type = "hidden";
      field.name = "upload";
      field.value = token;
      li.appendChild(field);
    }

    remove.addEventListener("click", function () {
      stopped = true;
      li.remove();
    });
    retry.addEventListener("click", function () {
      tries = 0;
      show("uploading", "Загрузка…");
      resume();
    });
    begin();
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("[data-upload-input]") || !input.files) return;
    var box = input.closest("[data-uploader]");
    var list = box && box.querySelector("[data-upload-list]");
    if (!list) return;
    Array.prototype.forEach.call(input.files, function (file) { upload(file, list); });
    // the files are on their way; the form itself will carry only their tokens
    input.value = "";
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("[data-ticket-form]")) return;
    var busy = form.querySelector('[data-upload-list] li:not([data-state="done"])');
    if (busy) {
      event.preventDefault();
      var note = form.querySelector("[data-upload-note]") || el("p", "text-sm text-red-700");
      note.setAttribute("data-upload-note", "");
      note.setAttribute("role", "alert");
      note.textContent = "Дождитесь, пока загрузятся файлы, или уберите те, что не загрузились.";
      form.querySelector("[data-uploader]").appendChild(note);
    }
  });

  window.addEventListener("online", function () {
    var again = waiting;
    waiting = [];
    again.forEach(function (resume) { resume(); });
  });
})();
