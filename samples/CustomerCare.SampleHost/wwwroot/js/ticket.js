// The ticket page, live: joins the ticket on the CustomerCare hub (cookie-authenticated, same origin),
// appends pushed messages by sequence (no duplicates), shows who is typing, applies ticket updates
// (status, assignee, the chat box disabled while closed) and sends messages through the hub with a
// client message id, so a retry after a dropped connection is not stored twice. Without the hub the
// form posts as usual.
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  if (!root || !window.signalR) return;

  var ticketId = root.dataset.ticketId;
  var me = root.dataset.me;
  var version = Number(root.dataset.version) || 0;
  var list = document.getElementById("messages");
  var typingLine = document.getElementById("typing");
  var form = document.getElementById("chat-form");
  var box = document.getElementById("chat-body");
  var send = document.getElementById("chat-send");
  var visibility = document.getElementById("chat-visibility");
  var error = document.getElementById("chat-error");
  var closedReason = document.getElementById("chat-closed");
  var seen = new Set();
  var last = 0;
  list.querySelectorAll("li[data-seq]").forEach(function (li) {
    var seq = Number(li.dataset.seq);
    seen.add(seq);
    if (seq > last) last = seq;
  });

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function time(iso) {
    var d = new Date(iso);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function add(m) {
    if (m.ticketId !== ticketId || seen.has(m.sequence)) return;
    seen.add(m.sequence);
    if (m.sequence > last) last = m.sequence;
    var li = document.createElement("li");
    li.dataset.seq = String(m.sequence);
    if (m.author && m.author.id === me) li.classList.add("mine");
    if (m.visibility === "internal") li.classList.add("internal");
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = m.author ? m.author.name : "";
    meta.appendChild(who);
    var stamp = document.createElement("time");
    stamp.dateTime = m.createdAt;
    stamp.textContent = time(m.createdAt);
    meta.appendChild(document.createTextNode(" (" + m.authorRole + ")" + (m.visibility === "internal" ? " · internal note" : "") + " · "));
    meta.appendChild(stamp);
    var body = document.createElement("p");
    body.className = "body";
    body.textContent = m.body;
    li.appendChild(meta);
    li.appendChild(body);
    // Keep sequence order even when a push and a join answer interleave.
    var before = Array.prototype.find.call(list.children, function (other) { return Number(other.dataset.seq) > m.sequence; });
    list.insertBefore(li, before || null);
    list.scrollTop = list.scrollHeight;
    var none = document.getElementById("no-messages");
    if (none) none.hidden = true;
    if (m.author && typingLine.dataset.user === m.author.id) typingLine.textContent = "";
  }

  function applyStatus(status) {
    root.dataset.status = status;
    var badge = document.getElementById("ticket-status");
    badge.textContent = status;
    badge.className = "status status-" + status;
    document.querySelectorAll("form[data-statuses]").forEach(function (f) {
      f.hidden = f.dataset.statuses.split(" ").indexOf(status) < 0;
    });
    var closed = status === "closed";
    if (closedReason && form) closedReason.hidden = !closed;
    [box, send, visibility].forEach(function (el) { if (el) el.disabled = closed; });
  }

  function applyTicket(t) {
    if (!t || t.version <= version) return;
    version = t.version;
    root.dataset.version = String(version);
    applyStatus(t.status);
    document.getElementById("ticket-assignee").textContent = t.assignee ? t.assignee.name : "Nobody yet";
  }

  var typingTimer = null;
  function showTyping(t) {
    if (t.ticketId !== ticketId || (t.user && t.user.id === me)) return;
    typingLine.dataset.user = t.user.id;
    typingLine.textContent = t.user.name + " is typing…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingLine.textContent = ""; }, 4000);
  }

  function problem(err) {
    var text = String(err && err.message || err);
    var match = /HubException: ([a-z-]+): (.*)$/.exec(text);
    if (!match) return "Your message could not be sent. Check your connection and try again.";
    if (match[1] === "validation") return match[2].replace(/^body: /, "");
    return match[2];
  }

  var connection = new signalR.HubConnectionBuilder()
    .withUrl(root.dataset.hub)
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.on("messagePosted", add);
  connection.on("ticketUpdated", function (u) { if (u.ticketId === ticketId) applyTicket(u); });
  connection.on("typing", showTyping);
  connection.onreconnecting(function () { root.dataset.live = "reconnecting"; });
  connection.onreconnected(function () { join(); });
  connection.onclose(function () { root.dataset.live = "offline"; });

  function join() {
    return connection.invoke("JoinTicket", ticketId, last).then(function (r) {
      applyTicket(r.ticket);
      r.messages.forEach(add);
      if (r.hasMore) return join();
      root.dataset.live = "connected";
    }).catch(function (err) {
      root.dataset.live = "offline";
      if (error) error.textContent = "Live updates are not available: " + problem(err) + " Reload the page to see new messages.";
    });
  }

  connection.start().then(join).catch(function () { root.dataset.live = "offline"; });

  if (!form) return;
  var lastTyping = 0;
  box.addEventListener("input", function () {
    if (connection.state !== signalR.HubConnectionState.Connected) return;
    if (visibility && visibility.value === "internal") return;   // typing reaches the customer
    var now = Date.now();
    if (now - lastTyping < 2000) return;
    lastTyping = now;
    connection.invoke("Typing", ticketId).catch(function () { });
  });

  form.addEventListener("submit", function (e) {
    if (connection.state !== signalR.HubConnectionState.Connected) return;   // post the form instead
    e.preventDefault();
    var text = box.value;
    if (!text.trim()) {
      error.textContent = "Write a message first.";
      box.setAttribute("aria-invalid", "true");
      box.focus();
      return;
    }
    var id = newId();
    send.disabled = true;
    error.textContent = "";
    box.removeAttribute("aria-invalid");
    connection.invoke("SendMessage", ticketId, text, visibility ? visibility.value : null, id).then(function (m) {
      add(m);
      box.value = "";
    }).catch(function (err) {
      error.textContent = problem(err);
      box.setAttribute("aria-invalid", "true");
    }).then(function () {
      send.disabled = root.dataset.status === "closed";
      box.focus();
    });
  });
})();
