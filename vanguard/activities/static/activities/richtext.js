// The minutes editor: a contenteditable area over the form's textarea, which keeps the HTML the
// form posts (the server sanitises it again: nothing here is trusted). Without this script the
// textarea is used as it is.
(function () {
  function setup(root) {
    var textarea = root.querySelector("textarea");
    var editor = root.querySelector("[data-richtext-editor]");
    var toolbar = root.querySelector("[data-richtext-toolbar]");
    if (!textarea || !editor || !toolbar) return;
    var value = textarea.value;
    // Plain-text minutes of older records: keep their line breaks as paragraphs.
    if (value && !/<[a-zA-Z\/!]/.test(value)) {
      editor.textContent = "";
      value.split(/\n/).forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        editor.appendChild(p);
      });
    } else {
      // Sanitised by the server before it reached this page.
      editor.innerHTML = value;
    }
    textarea.classList.add("d-none");
    editor.classList.remove("d-none");
    toolbar.classList.remove("d-none");
    editor.addEventListener("input", function () { textarea.value = editor.innerHTML; });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-command]");
      if (!button) return;
      event.preventDefault();
      editor.focus();
      document.execCommand(button.getAttribute("data-command"), false, button.getAttribute("data-value") || null);
      textarea.value = editor.innerHTML;
    });
    var form = textarea.form;
    if (form) form.addEventListener("submit", function () { textarea.value = editor.innerHTML; });
  }
  document.querySelectorAll("[data-richtext-for]").forEach(setup);
})();
