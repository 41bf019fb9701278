// The kanban board: drag a card with Sortable.js, POST the move, swap in the columns the server
// answers. A stale card (someone else moved it) reloads the board with the server's message; a
// move to a lost stage asks for the reason first. No inline scripts, no JS strings: texts come
// from the page.
(function () {
  "use strict";

  const board = document.getElementById("board");
  if (!board || typeof window.Sortable === "undefined") return;

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) { /* fall back to the cookie */ }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  let pending = null; // {card, stageId, position} waiting for a lost reason
  const modalElement = document.getElementById("lost-reason-modal");
  const modal = modalElement && window.bootstrap ? new window.bootstrap.Modal(modalElement) : null;

  function reload() {
    window.location.reload();
  }

  function move(card, stageId, position, extra) {
    const body = new URLSearchParams();
    body.set("stage", stageId);
    body.set("position", String(position));
    body.set("version", card.dataset.version);
    body.set("q", board.dataset.q || "");
    body.set("owner", board.dataset.owner || "");
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    board.setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Board-Request": "1", "Accept": "text/html" },
      body: body,
    }).then(function (response) {
      board.removeAttribute("aria-busy");
      if (response.ok) {
        return response.text().then(function (html) {
          board.innerHTML = html;
          init();
        });
      }
      return response.json().then(function (error) {
        if (error.code === "lost_reason_required" && modal) {
          pending = { card: card, stageId: stageId, position: position };
          document.getElementById("lost-reason-form").reset();
          modal.show();
          return;
        }
        reload(); // conflicts and other refusals: the server queued a message for the reloaded page
      });
    }).catch(function () {
      window.alert(board.dataset.errorText);
      reload();
    });
  }

  if (modalElement) {
    document.getElementById("lost-reason-form").addEventListener("submit", function (event) {
      event.preventDefault();
      const reason = document.getElementById("lost-reason-select").value;
      if (!reason || !pending) return;
      const target = pending;
      pending = null;
      modal.hide();
      move(target.card, target.stageId, target.position, {
        lost_reason: reason,
        lost_note: document.getElementById("lost-note-input").value,
      });
    });
    modalElement.addEventListener("hidden.bs.modal", function () {
      if (pending) { // cancelled: put the card back where the server has it
        pending = null;
        reload();
      }
    });
  }

  function init() {
    board.querySelectorAll(".kanban-cards[data-stage]").forEach(function (list) {
      window.Sortable.create(list, {
        group: "pipeline",
        animation: 150,
        draggable: ".kanban-card[data-move-url]",
        filter: "select, button, input, label",
        preventOnFilter: false,
        delay: 200,
        delayOnTouchOnly: true,
        onEnd: function (event) {
          if (event.from === event.to && event.oldDraggableIndex === event.newDraggableIndex) return;
          move(event.item, event.to.dataset.stage, event.newDraggableIndex);
        },
      });
    });
  }

  init();
})();
