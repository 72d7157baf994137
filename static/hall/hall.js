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
  });
})();
