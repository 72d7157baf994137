// The people picker: a text input marked data-people (hall/people.py, PersonInput) offers the
// first matches of the hall's people search as people type; arrow keys, Enter and a click pick.
// Without JavaScript it stays a plain input of staff number or user name, checked by the form.
(function () {
  if (window.hallPeople) return;
  window.hallPeople = true;
  var count = 0;

  function setup(input) {
    var multiple = input.hasAttribute("data-people-multiple");
    var id = "people-list-" + (++count);
    var box = document.createElement("div");
    box.className = "people-box";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "people-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.appendChild(list);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var active = -1, timer = null, asked = 0, items = [];

    function term() {
      if (!multiple) return input.value.trim();
      var parts = input.value.split(/[,，;；、]/);
      return parts[parts.length - 1].trim();
    }
    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function pick(value) {
      if (multiple) {
        var parts = input.value.split(/[,，;；、]/).map(function (p) { return p.trim(); });
        parts[parts.length - 1] = value;
        input.value = parts.filter(function (p) { return p; }).join(", ") + ", ";
      } else {
        input.value = value;
      }
      close();
      input.focus();
    }
    function show(results) {
      list.textContent = "";
      items = results.map(function (r, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = r.label;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(r.value); });
        list.appendChild(li);
        return li;
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "people-none";
        none.textContent = input.getAttribute("data-people-none") || "";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? (input.getAttribute("data-people-found") || "").replace("%(n)s", results.length)
        : input.getAttribute("data-people-none") || "";
      active = -1;
    }
    function ask() {
      var q = term();
      if (!q) { close(); return; }
      var mine = ++asked;
      fetch(input.getAttribute("data-people") + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === asked) show(data.results || []); })
        .catch(function () { /* the plain input still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) {
        if (event.key === "Escape") close();
        return;
      }
      if (event.key === "ArrowDown") { event.preventDefault(); mark((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); items[active].dispatchEvent(new Event("mousedown")); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function start() { document.querySelectorAll("input[data-people]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
