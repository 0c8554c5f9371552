// Live draft check: the rules of engagement, as the agent types (POST /api/v1/lint with the session's CSRF token).
(function () {
  var draft = document.getElementById("draft");
  var out = document.getElementById("draft-check");
  if (!draft || !out) { return; }
  var token = document.querySelector("meta[name=csrf-token]");
  var timer = null;
  function show(result) {
    out.textContent = "";
    var head = document.createElement("div");
    head.className = "verdict " + result.verdict;
    head.textContent = "Draft check: " + result.verdict;
    out.appendChild(head);
    result.findings.forEach(function (f) {
      if (f.level === "pass") { return; }
      var row = document.createElement("div");
      row.className = "finding " + f.level;
      row.textContent = "Rule " + f.rule + " (" + f.name + "), " + f.level + ": " + f.message +
        (f.evidence.length ? " [" + f.evidence.join(", ") + "]" : "") + (f.suggestion ? " " + f.suggestion : "");
      out.appendChild(row);
    });
  }
  function check() {
    if (!draft.value.trim()) { out.textContent = ""; return; }
    fetch("/api/v1/lint", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token ? token.content : ""},
      body: JSON.stringify({text: draft.value, reply_to: draft.dataset.replyTo})
    }).then(function (r) { return r.json(); }).then(show).catch(function () { out.textContent = "Draft check unavailable."; });
  }
  draft.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 250); });
})();
