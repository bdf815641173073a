// Tenantry status board: re-fetches the server-rendered board every data-refresh seconds. Without JavaScript
// the page is complete as served; this only keeps it current.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.fetch) return;
  var secs = Math.max(1, parseInt(board.getAttribute("data-refresh") || "30", 10));
  var src = board.getAttribute("data-src") || "/status/board.html";
  var note = document.createElement("p");
  note.className = "refresh-note muted";
  note.setAttribute("role", "status");
  note.textContent = "Refreshes every " + secs + " s.";
  board.parentNode.insertBefore(note, board);
  function refresh() {
    fetch(src, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status === 401 ? "signed out: reload the page to sign in" : "the server answered " + r.status);
        return r.text();
      })
      .then(function (html) {
        board.innerHTML = html;
        note.textContent = "Refreshes every " + secs + " s. Last refresh " + new Date().toISOString().replace("T", " ").slice(0, 19) + " UTC.";
        note.classList.remove("stale");
      })
      .catch(function (e) {
        note.textContent = "Could not refresh the board (" + e.message + "); what you see may be old.";
        note.classList.add("stale");
      });
  }
  setInterval(refresh, secs * 1000);
})();
