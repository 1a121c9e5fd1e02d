// Folio Desk: small enhancements over pages that work without script.
// Copy buttons copy a textarea's text (the edit form's live preview is in autosave.js).
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

  // The media library's upload form: a file dropped on its box is sent by the same form.
  function dropUpload() {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector(".upload-status");
    form.querySelector(".drop-hint").hidden = false;
    form.addEventListener("submit", function () { status.textContent = status.dataset.busy; });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }

  function quoted(text) {
    // As content.blocks writes a directive's words: in double quotes, with \ and " escaped.
    return '"' + text.replace(/\s+/g, " ").trim().replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
  }

  function imageMarkdown(chooser) {
    var chosen = chooser.querySelector("input[name=image-choice]:checked");
    var alt = chooser.querySelector("#image-alt");
    var decorative = chooser.querySelector("#image-decorative").checked;
    var credit = chooser.querySelector("#image-credit").value.trim();
    var caption = chooser.querySelector("#image-caption").value.trim();
    var problems = { choice: "", alt: "" };
    if (!chosen) problems.choice = chooser.dataset.noImage;
    if (!decorative && !alt.value.trim()) problems.alt = chooser.dataset.noAlt;
    else if (!decorative && /^(an? |una? )?(image|picture|photo|imagen|foto|fotograf\u00eda|dibujo) (of|de)\b/i.test(alt.value.trim())) problems.alt = chooser.dataset.badStart;
    showError(chooser, "image-choice", problems.choice, null);
    showError(chooser, "image-alt", problems.alt, alt);
    if (problems.choice || problems.alt) {
      (problems.alt ? alt : chooser.querySelector("input[name=image-choice]") || alt).focus();
      return null;
    }
    var head = ":::image " + chosen.value + (decorative ? " decorative" : " " + quoted(alt.value));
    if (credit && !decorative) head += " " + quoted(credit);
    return head + "\n" + (caption ? caption.replace(/\s+/g, " ") + "\n" : "") + ":::";
  }

  function showError(chooser, name, message, field) {
    var error = chooser.querySelector("#err-" + name);
    if (!error) return;
    error.textContent = message;
    error.hidden = !message;
    if (field) {
      if (message) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
    }
  }

  // The edit page's "Insert image": choose an asset, write its alt text, insert the Markdown at the cursor.
  function imageInsert() {
    var box = document.querySelector(".image-insert");
    var body = document.getElementById("f-body");
    if (!box || !body) return;
    var open = document.getElementById("image-open");
    var panel = document.getElementById("image-panel");
    var status = box.querySelector(".image-status");
    var cursor = { start: body.value.length, end: body.value.length };
    body.addEventListener("blur", function () { cursor = { start: body.selectionStart, end: body.selectionEnd }; });
    open.hidden = false;
    box.querySelector(".image-nojs").hidden = true;
    function close(focus) {
      panel.hidden = true;
      panel.innerHTML = "";
      open.setAttribute("aria-expanded", "false");
      focus.focus();
    }
    function insert(chooser) {
      var markdown = imageMarkdown(chooser);
      if (markdown === null) return;
      var before = body.value.slice(0, cursor.start);
      var after = body.value.slice(cursor.end);
      var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
      var tail = after && !/^\n/.test(after) ? "\n\n" : "\n";
      body.value = before + lead + markdown + tail + after.replace(/^\n/, "");
      var at = (before + lead + markdown).length;
      close(body);
      body.setSelectionRange(at, at);
      body.dispatchEvent(new Event("input", { bubbles: true }));
      status.textContent = chooser.dataset.inserted;
    }
    open.addEventListener("click", function () {
      if (!panel.hidden) { close(open); return; }
      fetch(box.dataset.choose, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          panel.innerHTML = html;
          panel.hidden = false;
          open.setAttribute("aria-expanded", "true");
          var chooser = panel.querySelector(".chooser");
          chooser.addEventListener("click", function (event) {
            var action = event.target.closest("button") && event.target.closest("button").dataset.image;
            if (action === "insert") insert(chooser);
            if (action === "cancel") close(open);
          });
          chooser.addEventListener("keydown", function (event) {
            if (event.key === "Escape") close(open);
            if (event.key === "Enter" && event.target.tagName === "INPUT") { event.preventDefault(); insert(chooser); }
          });
          (panel.querySelector("input[name=image-choice]:checked") || panel.querySelector("button")).focus();
        })
        .catch(function () {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    dropUpload();
    imageInsert();
  });
})();
