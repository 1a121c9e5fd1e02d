// Folio Desk: the edit form saves itself, signs in again in place, shows conflicts side by side,
// and keeps every channel's preview current. The page works without it: the form posts.
(function () {
  "use strict";

  // The page preview follows the typing; problems show once the person has typed or left a field.
  function livePreview(form) {
    var frame = document.getElementById("live-preview");
    var status = document.querySelector(".preview-status");
    if (!frame) return;
    var timer = null;
    var sent = 0;
    var touched = false;
    function refresh() {
      var data = new FormData(form);
      data.set("action", "preview");
      var mine = ++sent;
      fetch(form.dataset.preview, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (mine !== sent) return;
          if (result.html) frame.srcdoc = result.html;
          var problems = touched && result.problems ? result.problems : [];
          status.textContent = problems.length ? form.dataset.problems + ": " + problems.join("; ") : "";
        })
        .catch(function () {});
    }
    form.addEventListener("input", function () {
      touched = true;
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    });
    form.addEventListener("focusout", function (event) {
      if (!event.target.matches("input:not([type=hidden]), textarea")) return;
      if (!touched) { touched = true; refresh(); }
    });
    if (!frame.getAttribute("srcdoc")) refresh();
  }

  function withParam(url, name, value) {
    var clean = url.replace(new RegExp("([?&])" + name + "=[^&]*&?"), "$1").replace(/[?&]$/, "");
    return clean + (clean.indexOf("?") < 0 ? "?" : "&") + name + "=" + encodeURIComponent(value);
  }

  // The handout and the email show the saved draft: reload them after each save.
  function reloadChannels(etag) {
    ["handout-preview", "email-preview"].forEach(function (id) {
      var frame = document.getElementById(id);
      if (frame) frame.src = withParam(frame.getAttribute("src"), "rev", etag);
    });
    var link = document.getElementById("handout-link");
    if (link) link.href = withParam(link.getAttribute("href"), "rev", etag);
  }

  function showProblems(form, problems) {
    form.querySelectorAll("[data-js-error]").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; });
    form.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
    var first = null;
    Object.keys(problems || {}).forEach(function (name) {
      var field = document.getElementById("f-" + name);
      if (!field) return;
      var error = document.createElement("p");
      error.className = "field-error";
      error.id = "err-js-" + name;
      error.dataset.jsError = "";
      error.textContent = problems[name];
      field.insertAdjacentElement("afterend", error);
      field.setAttribute("aria-invalid", "true");
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("err-") !== 0;
      });
      described.push(error.id);
      field.setAttribute("aria-describedby", described.join(" "));
      first = first || field;
    });
    return first;
  }

  function autosave(form) {
    var url = form.dataset.autosave;
    if (!url) return;
    var status = document.getElementById("autosave-status");
    var panel = document.getElementById("signin-panel");
    var signin = document.getElementById("signin-inplace");
    var conflictBox = document.getElementById("conflict-box");
    var timer = null;
    var inflight = null;
    var dirty = false;
    var stopped = false; // a conflict or an ended session: no saving until the person decides
    var leaveAfter = false; // an explicit Save: open the draft page once saved

    function settle(answer) {
      var body = answer.body || {};
      if (body.message) status.textContent = body.message;
      if (answer.status === 200 && body.saved) {
        form.querySelector("input[name=etag]").value = body.etag;
        showProblems(form, {});
        reloadChannels(body.etag);
        if (leaveAfter) window.location.href = withParam(form.dataset.draft, "done", "saved");
        return answer;
      }
      if (answer.status === 401) {
        stopped = true;
        signin.querySelector("input[name=csrf]").value = body.csrf || "";
        panel.hidden = false;
        if (leaveAfter) document.getElementById("signin-token").focus();
      } else if (answer.status === 409) {
        stopped = true;
        form.querySelector("input[name=etag]").value = body.etag;
        conflictBox.innerHTML = body.conflict;
        if (leaveAfter) document.getElementById("conflict-title").focus();
      } else if (body.problems) {
        var first = showProblems(form, body.problems);
        if (leaveAfter && first) first.focus();
      } else {
        dirty = true;
        status.textContent = form.dataset.failed;
      }
      leaveAfter = false;
      return answer;
    }

    function save(keepalive) {
      if (inflight) return inflight.then(function () { return save(keepalive); });
      clearTimeout(timer);
      dirty = false;
      status.textContent = form.dataset.saving;
      var data = new FormData(form);
      data.set("action", "save");
      inflight = fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        keepalive: !!keepalive,
      })
        .then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        })
        .catch(function () { return { status: 0, body: {} }; })
        .then(function (answer) { inflight = null; return settle(answer); });
      return inflight;
    }

    function soon(delay) {
      clearTimeout(timer);
      if (!stopped && dirty) timer = setTimeout(function () { save(false); }, delay);
    }

    form.addEventListener("input", function () { dirty = true; soon(1500); });
    form.addEventListener("focusout", function () { soon(0); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && !stopped) save(true);
    });

    // Save (and "Keep my text") saves here, knowingly over theirs; other buttons wait for a save under way.
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      clearTimeout(timer);
      if (button && button.value === "save") {
        event.preventDefault();
        stopped = false;
        leaveAfter = true;
        save(false);
      } else if (inflight) {
        event.preventDefault();
        inflight.then(function () {
          if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
        });
      }
    });
    signin.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("signin-error");
      var token = document.getElementById("signin-token");
      fetch(signin.action, {
        method: "POST",
        body: new FormData(signin),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (!result.signedIn) {
            error.textContent = result.message || "";
            error.hidden = false;
            token.setAttribute("aria-invalid", "true");
            token.focus();
            return;
          }
          document.querySelectorAll("input[name=csrf]").forEach(function (field) {
            if (!signin.contains(field)) field.value = result.csrf;
          });
          error.hidden = true;
          token.removeAttribute("aria-invalid");
          token.value = "";
          panel.hidden = true;
          stopped = false;
          save(false).then(function (answer) {
            if (answer.status === 200) status.textContent = panel.dataset.saved;
          });
          form.querySelector("input:not([type=hidden]), textarea").focus();
        })
        .catch(function () {});
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("edit-form");
    if (!form) return;
    livePreview(form);
    autosave(form);
  });
})();
