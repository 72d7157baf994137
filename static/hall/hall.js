// The hall's one script, loaded by every page (base.html). Loaded twice, it runs once.
(function () {
  if (window.hallScript) return;
  window.hallScript = true;

  // On a phone the filters would push the results below the first screen: fold them away
  // once a search or filter has produced results. Without JavaScript they simply stay open.
  (function () {
    var box = document.getElementById("facets");
    if (!box || !window.matchMedia("(max-width: 760px)").matches) return;
    if (document.querySelector(".results .service-item")) box.removeAttribute("open");
  })();

  // On a phone the tab rows scroll sideways; bring the current tab into view so people see where
  // they are (the archives have a dozen desks).
  (function () {
    document.querySelectorAll(".tabs").forEach(function (row) {
      var current = row.querySelector("a.current");
      if (current && row.scrollWidth > row.clientWidth) {
        var left = current.offsetLeft - row.offsetLeft;
        row.scrollLeft = left - (row.clientWidth - current.offsetWidth) / 2;
      }
      // A row that scrolls fades out at the side where more tabs wait, so a clipped tab
      // reads as "more this way" rather than as a cut-off word.
      var edges = function () {
        var more = row.scrollWidth > row.clientWidth + 1;
        row.classList.toggle("more-right", more && row.scrollLeft + row.clientWidth < row.scrollWidth - 1);
        row.classList.toggle("more-left", more && row.scrollLeft > 1);
      };
      edges();
      row.addEventListener("scroll", edges, { passive: true });
      window.addEventListener("resize", edges);
    });
  })();

  // A menu folded in a <details> (the header's offices) closes when people click elsewhere or
  // press Escape, as a menu does; without JavaScript it opens and closes on its summary.
  (function () {
    var menus = document.querySelectorAll("details[data-close-outside]");
    if (!menus.length) return;
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.removeAttribute("open");
          menu.querySelector("summary").focus();
        }
      });
    });
  })();

  // A form that asks before it acts ("Withdraw this request?") carries its question in
  // data-confirm. Listening on the document keeps it working for forms the live request page
  // swaps in, and keeps scripts out of the markup (the Content-Security-Policy allows none).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Apply form: the reason box only matters once "urgent" is ticked.
  document.querySelectorAll(".urgent-box").forEach(function (box) {
    var tick = box.querySelector("input[type=checkbox]");
    var reason = box.querySelector(".urgent-reason");
    if (!tick || !reason) return;
    function sync() { reason.hidden = !tick.checked; }
    tick.addEventListener("change", sync);
    sync();
  });

  // One click submits once: the second click of a double click is ignored (the server also
  // refuses a second request for the same form).
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      setTimeout(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });

  // Live request page: status, progress, buttons and history refresh themselves while the
  // request moves, without a full reload; polling stops once the request is finished.
  (function () {
    var first = document.getElementById("live");
    if (!first || first.dataset.open !== "1") return;
    var timer = setInterval(function () {
      var live = document.getElementById("live");
      if (!live || live.dataset.open !== "1") { clearInterval(timer); return; }
      if (live.contains(document.activeElement) && document.activeElement !== document.body) return;
      // The stamp of what is shown: the server answers 304 (r.ok is false) while it holds.
      var headers = live.dataset.stamp ? {"If-None-Match": '"' + live.dataset.stamp + '"'} : {};
      fetch(live.dataset.url, {credentials: "same-origin", headers: headers})
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var next = document.createElement("div");
          next.innerHTML = html;
          var fresh = next.querySelector("#live");
          if (fresh && fresh.innerHTML !== live.innerHTML) live.replaceWith(fresh);
        });
    }, 10000);
  })();
})();
