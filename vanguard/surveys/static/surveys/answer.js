/* The masses' answer pages (surveys): everything here happens in the browser and is sent nowhere else.
 *
 * - The slip's QR code opens /surveys/answer/#CODE: the code is moved into the form (and out of
 *   the address bar and the history entry), then posted, so that it reaches the server only in a
 *   POST body, never in a URL an access log keeps.
 * - The answers are checked and confirmed here: "检查并提交" lists them for the respondent to
 *   read, "确认提交" sends them. Without JavaScript the form is sent as it is and the server checks it.
 * - A page restored from the browser's back-forward cache forgets the answers.
 */
(function () {
  "use strict";

  var codeForm = document.querySelector("[data-code-form]");
  if (codeForm && window.location.hash.length > 1) {
    var code = decodeURIComponent(window.location.hash.slice(1));
    window.history.replaceState(null, "", window.location.pathname);
    codeForm.querySelector("input[name=code]").value = code;
    codeForm.submit();
  }

  var form = document.querySelector("[data-answer]");
  if (!form) {
    return;
  }
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var list = form.querySelector("[data-answer-items]");
  var confirm = form.querySelector("[data-answer-confirm]");
  var summary = form.querySelector("[data-answer-summary]");
  var missingBox = form.querySelector("[data-answer-missing]");
  var confirmed = false;

  function show(element, visible) {
    element.classList.toggle("d-none", !visible);
  }

  function chosenLabel(item) {
    var checked = item.querySelector("input:checked");
    return checked ? form.querySelector("label[for='" + checked.id + "']").textContent : "";
  }

  form.addEventListener("submit", function (event) {
    if (confirmed) {
      return;
    }
    event.preventDefault();
    var missing = items.filter(function (item) { return !chosenLabel(item); });
    items.forEach(function (item) { item.classList.toggle("vg-missing", missing.indexOf(item) >= 0); });
    if (missing.length) {
      missingBox.textContent = missing.length === 1 ? form.dataset.missingOne
        : form.dataset.missingMany.replace("{n}", String(missing.length));
      show(missingBox, true);
      missing[0].scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    show(missingBox, false);
    summary.textContent = "";
    items.forEach(function (item) {
      var row = document.createElement("tr");
      var name = document.createElement("td");
      var level = document.createElement("td");
      name.textContent = item.dataset.name;
      level.textContent = chosenLabel(item);
      level.className = "fw-bold text-end text-nowrap";
      row.appendChild(name);
      row.appendChild(level);
      summary.appendChild(row);
    });
    show(list, false);
    show(confirm, true);
    window.scrollTo(0, 0);
  });

  form.addEventListener("change", function (event) {
    var item = event.target.closest("[data-item]");
    if (item) {
      item.classList.remove("vg-missing");
    }
  });

  form.querySelector("[data-answer-back]").addEventListener("click", function () {
    show(confirm, false);
    show(list, true);
  });

  form.querySelector("[data-answer-confirm-button]").addEventListener("click", function (event) {
    confirmed = true;
    event.target.disabled = true;
    form.submit();
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      confirmed = false;
      form.reset();
      show(confirm, false);
      show(list, true);
    }
  });
}());
