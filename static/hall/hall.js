// On a phone the filters would push the results below the first screen: fold them away
// once a search or filter has produced results. Without JavaScript they simply stay open.
(function () {
  var box = document.getElementById("facets");
  if (!box || !window.matchMedia("(max-width: 760px)").matches) return;
  if (document.querySelector(".results .service-item")) box.removeAttribute("open");
})();
