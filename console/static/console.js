// hsc console: JSON editors that validate before sending, and live
// updates of a running execution's page. No libraries, no build step.
"use strict";

(function () {
  function checkJSON(area) {
    var msg = document.getElementById(area.getAttribute("aria-describedby"));
    var text = area.value;
    var err = "";
    if (text.trim() !== "") {
      try { JSON.parse(text); } catch (e) { err = "Not valid JSON: " + e.message; }
    }
    area.setAttribute("aria-invalid", err ? "true" : "false");
    if (msg) {
      msg.textContent = err || (text.trim() === "" ? "" : "Valid JSON.");
      msg.className = "json-msg " + (err ? "bad" : "good");
    }
    return !err;
  }

  function setupEditors(root) {
    root.querySelectorAll("textarea[data-json]").forEach(function (area) {
      area.addEventListener("input", function () { checkJSON(area); });
      checkJSON(area);
    });
    root.querySelectorAll("button[data-format]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var area = document.getElementById(btn.getAttribute("data-format"));
        if (!checkJSON(area)) { area.focus(); return; }
        area.value = JSON.stringify(JSON.parse(area.value), null, 2);
        checkJSON(area);
      });
    });
    root.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        var by = ev.submitter;
        if (by && by.hasAttribute("data-skip-json")) { return; }
        var bad = null;
        form.querySelectorAll("textarea[data-json]").forEach(function (area) {
          if (!checkJSON(area) && !bad) { bad = area; }
        });
        if (bad) { ev.preventDefault(); bad.focus(); }
      });
    });
  }

  function setupLive() {
    var box = document.getElementById("live");
    if (!box) { return; }
    var url = box.getAttribute("data-live-url");
    function state() { return document.getElementById("live-state"); }
    function schedule() {
      var s = state();
      if (!s || s.getAttribute("data-status") !== "RUNNING") { return; }
      var every = parseInt(s.getAttribute("data-poll"), 10) || 1000;
      setTimeout(poll, every);
    }
    function poll() {
      var s = state();
      var known = s ? "&status=" + encodeURIComponent(s.getAttribute("data-status")) +
        "&events=" + encodeURIComponent(s.getAttribute("data-events")) : "";
      fetch(url + known, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (resp) {
          if (resp.status === 204) { return; } // nothing new
          if (!resp.ok) { throw new Error("HTTP " + resp.status); }
          return resp.text().then(replace);
        })
        .catch(function () { /* try again at the next tick */ })
        .then(schedule);
    }
    function replace(html) {
      var open = {};
      box.querySelectorAll("details[open]").forEach(function (d) { open[d.getAttribute("data-key")] = true; });
      var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : "";
      var before = state() ? state().getAttribute("data-status") : "";
      box.innerHTML = html;
      var now = state() ? state().getAttribute("data-status") : "";
      var announce = document.getElementById("announce");
      if (announce && now !== before) { announce.textContent = "Execution status: " + now; }
      box.querySelectorAll("details[data-key]").forEach(function (d) {
        if (open[d.getAttribute("data-key")]) { d.open = true; }
      });
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupEditors(document);
    setupLive();
  });
})();
