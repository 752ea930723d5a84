/* Self-assessment pages: live points while the officer types, a warning before leaving the
 * form with unsaved changes, a confirmation before deleting or submitting. Every page works
 * without this file (points then update on save). */
(function () {
  "use strict";
  /* forms that ask before they act (delete a document, submit the self-assessment) */
  var asking = document.querySelectorAll("form[data-confirm]");
  for (var i = 0; i < asking.length; i++) {
    asking[i].addEventListener("submit", function (event) {
      if (!window.confirm(this.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  var form = document.getElementById("self-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-score-url");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  var timers = {};
  var latest = {};  /* per leaf: the last request sent, so a late answer cannot win */
  var dirty = false;
  var DELAY = 400;

  function leafData(section) {
    var data = new FormData();
    data.append("leaf", section.getAttribute("data-leaf"));
    var fields = section.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if (!el.name || el.matches(":disabled")) { continue; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { continue; }
      data.append(el.name, el.value);
    }
    return data;
  }

  function show(section, result) {
    var points = section.querySelector(".points-value");
    if (points) { points.textContent = result.points === null ? "—" : result.points; }
    var list = section.querySelector("ul.messages");
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var severities = result.severities || [];
    (result.messages || []).forEach(function (text, i) {
      var li = document.createElement("li");
      li.className = severities[i] === "error" ? "msg-error" : "msg-warning";
      li.textContent = text;
      list.appendChild(li);
    });
  }

  function score(section) {
    var code = section.getAttribute("data-leaf");
    var ticket = (latest[code] || 0) + 1;
    latest[code] = ticket;
    fetch(url, {
      method: "POST",
      body: leafData(section),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (result) {
      if (latest[code] !== ticket) { return; }
      show(section, result);
      section.classList.remove("live-failed");
    }).catch(function () {
      section.classList.add("live-failed");
    });
  }

  function changed(event) {
    var section = event.target.closest("[data-leaf]");
    if (!section) { return; }
    dirty = true;
    var code = section.getAttribute("data-leaf");
    clearTimeout(timers[code]);
    timers[code] = setTimeout(function () { score(section); }, DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();

/* "Không phát sinh" ticked: the leaf's figures are greyed out and not sent, so the claim is
 * saved in one step (the server clears them too, with or without this file); unticked, they
 * come back as they were. */
(function () {
  "use strict";
  var OWN = /-(dna|dna_reason|explanation|version|orig)$/;
  function toggle(box) {
    var section = box.closest("[data-leaf]");
    if (!section) { return; }
    var fields = section.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      if (!el.name || OWN.test(el.name) || el.type === "hidden") { continue; }
      el.disabled = box.checked;
    }
    section.classList.toggle("dna-claimed", box.checked);
  }
  var boxes = document.querySelectorAll('#self-form input[type="checkbox"][name$="-dna"]');
  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].matches(":disabled")) { continue; }
    toggle(boxes[i]);
    boxes[i].addEventListener("change", function () { toggle(this); });
  }
})();
