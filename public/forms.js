// Reads a chosen file into a hidden form field (base64 data URL), so a plain form can send it
// to a server function: <input type="file" data-read-into="<id of the hidden input>">.
(function () {
  document.addEventListener("change", function (event) {
    var input = event.target;
    var target = input && input.dataset && input.dataset.readInto;
    if (!target || !input.files || !input.files[0]) return;
    var field = document.getElementById(target);
    var reader = new FileReader();
    reader.onload = function () {
      if (field) field.value = reader.result;
    };
    reader.readAsDataURL(input.files[0]);
  });
})();
