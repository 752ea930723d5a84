/* Password fields (log-in, password change, second factor): a "Hiện mật khẩu" button beside
 * every password field, and on the password change the stated rules ticked off and a strength
 * indication as the person types. The server's rules stay the authority; every page works
 * without this file (the fields then stay hidden, the rules are still listed). */
(function () {
  "use strict";

  /* ASVS 2.1.12: show the typed password; a real button, so the keyboard works, whose state
   * is aria-pressed (its label stays the same) */
  var fields = document.querySelectorAll("input[type=password]");
  for (var i = 0; i < fields.length; i++) {
    addReveal(fields[i]);
  }

  function addReveal(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "reveal secondary";
    button.textContent = "Hiện mật khẩu";
    button.setAttribute("aria-pressed", "false");
    if (input.id) { button.setAttribute("aria-controls", input.id); }
    button.addEventListener("click", function () {
      var shown = input.type === "password";
      input.type = shown ? "text" : "password";
      button.setAttribute("aria-pressed", shown ? "true" : "false");
    });
    /* the form's own submission hides it again, so no browser keeps the text as a plain field */
    if (input.form) {
      input.form.addEventListener("submit", function () {
        input.type = "password";
        button.setAttribute("aria-pressed", "false");
      });
    }
    input.insertAdjacentElement("afterend", button);
  }

  /* ASVS 2.1.8: the rules the server checks, ticked off as the person types */
  var rules = document.getElementById("password-rules");
  var form = document.getElementById("password-form");
  if (!rules || !form) { return; }
  var fresh = document.getElementById("new");
  var again = document.getElementById("confirm");
  var current = document.getElementById("current");
  var min = parseInt(rules.getAttribute("data-min"), 10);
  var max = parseInt(rules.getAttribute("data-max"), 10);
  var address = (rules.getAttribute("data-email") || "").toLowerCase();
  var local = address.split("@")[0];
  var common = (rules.getAttribute("data-common") || "").split(" ");
  var strength = document.getElementById("password-strength");
  var meter = strength.querySelector("meter");
  var words = strength.querySelector("[data-strength]");
  var count = rules.querySelector("[data-count]");

  function distinct(chars) {
    var seen = {};
    var n = 0;
    for (var i = 0; i < chars.length; i++) {
      if (!seen[chars[i]]) { seen[chars[i]] = true; n++; }
    }
    return n;
  }

  function check() {
    var value = fresh.value;
    var chars = Array.from(value);  /* characters as the server counts them (code points) */
    var folded = value.toLowerCase();
    var passed = {
      length: chars.length >= min && chars.length <= max,
      distinct: distinct(chars) >= 4,
      email: !(folded === address || (local.length >= 4 && folded.indexOf(local) >= 0)),
      common: common.indexOf(folded) < 0,
      differs: value === "" || value !== current.value,
      confirm: value !== "" && value === again.value
    };
    var items = rules.querySelectorAll("[data-rule]");
    var ok = value !== "";
    for (var i = 0; i < items.length; i++) {
      var good = value !== "" && passed[items[i].getAttribute("data-rule")];
      items[i].className = good ? "rule-met" : "rule-unmet";
      items[i].querySelector(".rule-mark").textContent = good ? "✓" : "✗";
      if (items[i].getAttribute("data-rule") !== "confirm" && !good) { ok = false; }
    }
    count.textContent = String(chars.length);
    /* strength: length and variety once every rule is met */
    var level = 0;
    if (ok) {
      level = 1;
      if (chars.length >= 16) { level = 2; }
      if (chars.length >= 20 && distinct(chars) >= 10) { level = 3; }
    }
    meter.value = level;
    words.textContent = ["Chưa đạt yêu cầu", "Đạt yêu cầu", "Khá mạnh", "Mạnh"][level];
  }

  strength.hidden = false;
  fresh.addEventListener("input", check);
  again.addEventListener("input", check);
  current.addEventListener("input", check);
  check();
})();
