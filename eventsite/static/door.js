/* The door list, made quicker by script: the search filters as you type, one tap checks
   in without reloading, the count and who is here follow other phones at the door, and
   the last check-in can be undone. Without script every part works by plain forms. */
(function () {
  "use strict";
  var door = document.querySelector(".door");
  if (!door || !window.fetch) { return; }
  document.documentElement.classList.add("js");
  var search = document.getElementById("door-q");
  var notArrived = document.getElementById("door-not-arrived");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#door-list li"));
  var empty = document.getElementById("door-empty");
  var last = document.getElementById("door-last");
  var undoForm = last.querySelector("form");

  function filter() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      if (notArrived.checked && row.hasAttribute("data-here")) { match = false; }
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    empty.hidden = shown > 0;
  }

  function showCount(status) {
    door.querySelector("[data-count-here]").textContent = status.here;
    door.querySelector("[data-count-of]").textContent = status.of;
  }

  function markRow(row, time) {
    var arrived = row.querySelector(".door-arrived");
    var form = row.querySelector("form");
    if (time) {
      row.setAttribute("data-here", "");
      arrived.querySelector("[data-time]").textContent = time;
    } else {
      row.removeAttribute("data-here");
    }
    arrived.hidden = !time;
    form.hidden = !!time;
  }

  function follow(status) {
    showCount(status);
    rows.forEach(function (row) {
      markRow(row, status.checked_in[row.getAttribute("data-booking")] || "");
    });
    filter();
  }

  function post(form) {
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  rows.forEach(function (row) {
    var form = row.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      post(form).then(function (answer) {
        follow(answer);
        last.querySelector("[data-last-name]").textContent = answer.name;
        undoForm.action = answer.undo;
        last.hidden = false;
        search.value = "";
        filter();
        search.focus();
      }).catch(function () { form.submit(); }).then(function () {
        form.querySelector("button").disabled = false;
      });
    });
  });

  undoForm.addEventListener("submit", function (event) {
    event.preventDefault();
    post(undoForm).then(function (answer) {
      follow(answer);
      last.hidden = true;
    }).catch(function () { undoForm.submit(); });
  });

  search.addEventListener("input", filter);
  notArrived.addEventListener("change", filter);
  filter();

  var statusUrl = door.getAttribute("data-status-url");
  window.setInterval(function () {
    if (document.hidden) { return; }
    fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) { if (status) { follow(status); } })
      .catch(function () {});
  }, 10000);
}());
