// Drop a file anywhere on a form marked data-file-drop: it goes into the form's file input, as if picked.
// Why: people export from Excel and drag the file from their desktop; a bare file input is a small target.
(function () {
  "use strict";
  document.querySelectorAll("form[data-file-drop]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var label = form.querySelector("[data-file-drop-name]");
    if (!input) { return; }
    function show() {
      if (label) { label.textContent = input.files.length ? input.files[0].name : ""; }
    }
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("file-drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("file-drop-active"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
  });
})();
