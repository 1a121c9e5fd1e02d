// Folio Desk: small enhancements over pages that work without script.
// Copy buttons copy a textarea's text; the edit form's preview follows the typing.
(function () {
  "use strict";

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.dataset.copy);
      var status = document.querySelector(".copy-status");
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var done = function (ok) {
          if (status) status.textContent = ok ? status.dataset.ok || "Copied to the clipboard." : status.dataset.fail;
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(source.value).then(function () { done(true); }, function () { done(false); });
        } else {
          source.select();
          done(document.execCommand("copy"));
        }
      });
    });
  }

  function livePreview() {
    var form = document.getElementById("edit-form");
    var frame = document.getElementById("live-preview");
    var status = document.querySelector(".preview-status");
    if (!form || !frame) return;
    var timer = null;
    var sent = 0;
    function refresh() {
      var data = new FormData(form);
      data.set("action", "preview");
      var mine = ++sent;
      fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (mine !== sent) return;
          if (result.html) frame.srcdoc = result.html;
          status.textContent = result.problems.length ? "Problems: " + result.problems.join("; ") : "";
        })
        .catch(function () {});
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    });
    if (!frame.getAttribute("srcdoc")) refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    livePreview();
  });
})();
