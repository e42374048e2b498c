// The alert inbox, live: the web service passes on the notifications service's server-sent
// events, each change already rendered as the list's HTML fragment. No framework, no build.
(function () {
  "use strict";
  var list = document.getElementById("alerts");
  if (!list || !window.EventSource) { return; }
  var empty = document.getElementById("inbox-empty");
  var status = document.getElementById("live-status");
  var source = new EventSource(list.dataset.stream);

  function say(text) { if (status) { status.textContent = text; } }
  function refreshEmpty() { if (empty) { empty.hidden = list.children.length > 0; } }

  source.addEventListener("ready", function () { list.dataset.live = "ready"; say(""); });
  source.addEventListener("alert", function (event) {
    var change = JSON.parse(event.data);
    var old = document.getElementById("alert-" + change.id);
    if (!change.open) {
      // Acknowledged or closed: it leaves the open list (unless someone is typing a note in it).
      if (old && !old.contains(document.activeElement)) { old.remove(); }
    } else {
      var holder = document.createElement("template");
      holder.innerHTML = change.html.trim();
      var item = holder.content.firstElementChild;
      if (old) {
        if (!old.contains(document.activeElement)) { old.replaceWith(item); }
      } else {
        list.insertBefore(item, list.firstChild);
        say(list.dataset.new);
      }
    }
    refreshEmpty();
  });
  source.addEventListener("signin", function () { source.close(); window.location.assign("/sign-in"); });
  source.addEventListener("down", function () { list.dataset.live = "lost"; say(list.dataset.lost); });
  source.onerror = function () { list.dataset.live = "lost"; say(list.dataset.lost); };
})();
