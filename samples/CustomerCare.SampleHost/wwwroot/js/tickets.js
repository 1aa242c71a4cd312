// The ticket list, live: when a ticket the person may see changes (raised, assigned, status changed),
// its status updates in place, and a notice offers to refresh the list for anything new. The notice's
// data-live tells the state of the connection (connected / reconnecting / offline), as on the ticket page.
(function () {
  "use strict";
  var table = document.getElementById("ticket-list");
  var notice = document.getElementById("live-notice");
  if (!notice || !window.signalR) return;
  var hub = (table && table.dataset.hub) || (location.pathname.replace(/\/tickets.*$/, "") + "/hub");
  var connection = new signalR.HubConnectionBuilder().withUrl(hub).withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning).build();
  connection.on("ticketUpdated", function (u) {
    var row = table && table.querySelector('tr[data-ticket-id="' + u.ticketId + '"]');
    if (!row) { notice.hidden = false; return; }
    var status = row.querySelector('[data-field="status"]');
    if (status) { status.textContent = u.status; status.className = "status status-" + u.status; }
    var assignee = row.querySelector('[data-field="assignee"]');
    if (assignee) assignee.textContent = u.assignee ? u.assignee.name : "Unassigned";
  });
  connection.onreconnecting(function () { notice.dataset.live = "reconnecting"; });
  connection.onreconnected(function () { notice.dataset.live = "connected"; });
  connection.onclose(function () { notice.dataset.live = "offline"; });
  connection.start()
    .then(function () { notice.dataset.live = "connected"; })
    .catch(function () { notice.dataset.live = "offline"; });
})();
