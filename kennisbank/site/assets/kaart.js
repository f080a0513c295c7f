/* kennisbank maps: a collection map (#kb-kaart, fed by the list #kb-plaatsen beside it, filters in
   the URL) and the small map on a fiche (.kb-minimap). Leaflet + leaflet.markercluster come from
   /assets/leaflet/. Without tiles the markers, clusters and popups still work. */
(function () {
  "use strict";
  if (!window.L) { return; }
  function makeMap(element, options) {
    var map = L.map(element, Object.assign({ scrollWheelZoom: false, zoomControl: false }, options));
    L.control.zoom({ zoomInTitle: "Inzoomen", zoomOutTitle: "Uitzoomen" }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    L.tileLayer(element.getAttribute("data-tiles"), {
      attribution: element.getAttribute("data-attribution"), maxZoom: 19
    }).addTo(map);
    return map;
  }
  function marker(lat, lon, title, html) {
    return L.marker([lat, lon], { title: title, alt: title, keyboard: true }).bindPopup(html);
  }
  function popup(link, place) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = link.getAttribute("href");
    a.textContent = link.textContent;
    box.appendChild(a);
    if (place) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(place)); }
    return box;
  }

  var mini = document.querySelector(".kb-minimap");
  if (mini) {
    var lat = +mini.getAttribute("data-lat"), lon = +mini.getAttribute("data-lon");
    var small = makeMap(mini, { center: [lat, lon], zoom: 14 });
    marker(lat, lon, mini.getAttribute("data-title"), mini.getAttribute("data-title")).addTo(small);
  }

  var element = document.getElementById("kb-kaart");
  var list = document.getElementById("kb-plaatsen");
  if (!element || !list) { return; }
  var map = makeMap(element, { center: [50.85, 4.35], zoom: 8 });
  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({
        html: "<div><span>" + n + '<span class="kb-sr-only"> fiches, zoom in</span></span></div>',
        className: "marker-cluster marker-cluster-" + (n < 10 ? "small" : n < 100 ? "medium" : "large"),
        iconSize: L.point(40, 40)
      });
    }
  }).addTo(map);
  var places = Array.prototype.map.call(list.children, function (li) {
    var link = li.querySelector("a"), meta = li.querySelector(".kb-card__meta");
    var m = marker(+li.getAttribute("data-lat"), +li.getAttribute("data-lon"), link.textContent,
                   popup(link, meta && meta.textContent));
    return { li: li, marker: m };
  });
  var form = document.getElementById("kb-kaart-filters");
  var status = document.getElementById("kb-kaart-status");
  var selects = form ? Array.prototype.slice.call(form.querySelectorAll("select")) : [];

  function chosen() {
    var params = new URLSearchParams(location.search), wanted = {};
    selects.forEach(function (s) {
      var value = params.get(s.name) || "";
      if (!Array.prototype.some.call(s.options, function (o) { return o.value === value; })) { value = ""; }
      s.value = value;
      if (value) { wanted[s.name] = value; }
    });
    return wanted;
  }
  function show(fit) {
    var wanted = chosen(), shown = [];
    clusters.clearLayers();
    places.forEach(function (p) {
      var ok = Object.keys(wanted).every(function (name) {
        return (p.li.getAttribute("data-f-" + name) || "").split("|").indexOf(wanted[name]) >= 0;
      });
      p.li.hidden = !ok;
      if (ok) { shown.push(p.marker); }
    });
    clusters.addLayers(shown);
    status.textContent = shown.length + " van " + places.length + " fiches op de kaart";
    if (fit && shown.length) { map.fitBounds(L.featureGroup(shown).getBounds().pad(0.1), { maxZoom: 14 }); }
  }
  if (form) {
    form.hidden = false;
    form.addEventListener("change", function () {
      var params = new URLSearchParams();
      selects.forEach(function (s) { if (s.value) { params.set(s.name, s.value); } });
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      show(true);
    });
    form.addEventListener("reset", function () {
      setTimeout(function () { history.replaceState(null, "", location.pathname); show(true); }, 0);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }
  window.addEventListener("popstate", function () { show(true); });
  show(true);
}());
