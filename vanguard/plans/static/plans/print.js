// A "打印" button (data-print) prints the page; its print styles leave only the document.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
