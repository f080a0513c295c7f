/* kennisbank: the filters of a case collection's listing page (#kb-lijstfilter). The listing is
   paginated, so the filters work on the whole collection: the fiches come from a small index
   beside the listing (data-index, /<collection>/fiches.json). The selection lives in the URL
   (?status=...&land=...), the same parameters the collection's map page reads, and a link opens
   the same selection on the map. Without this script the listing is the paginated list. */
(function () {
  "use strict";
  var form = document.getElementById("kb-lijstfilter");
  var status = document.getElementById("kb-lijstfilter-status");
  var results = document.getElementById("kb-lijstfilter-results");
  var pages = document.getElementById("kb-listing-pages");
  if (!form || !status || !results || !pages || !window.fetch) { return; }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var total = +form.getAttribute("data-total");
  var fiches = null;

  function chosen() {
    var picked = {};
    selects.forEach(function (s) { if (s.value) { picked[s.name] = s.value; } });
    return picked;
  }
  function query(picked) {
    var params = new URLSearchParams();
    Object.keys(picked).forEach(function (name) { params.set(name, picked[name]); });
    var text = params.toString();
    return text ? "?" + text : "";
  }
  function card(fiche) {
    var li = document.createElement("li");
    li.className = "kb-card";
    var a = document.createElement("a");
    a.className = "kb-card__title";
    a.href = fiche.url;
    a.textContent = fiche.title;
    li.appendChild(a);
    if (fiche.summary) {
      var summary = document.createElement("span");
      summary.className = "kb-card__summary";
      summary.textContent = fiche.summary;
      li.appendChild(summary);
    }
    return li;
  }
  function say(count, search) {
    status.textContent = "";
    status.appendChild(document.createTextNode(
      count === 1 ? "1 fiche van de " + total + " past bij je keuze." : count + " fiches van de " + total + " passen bij je keuze."));
    var map = form.getAttribute("data-map");
    if (map && count > 0) {
      status.appendChild(document.createTextNode(" "));
      var link = document.createElement("a");
      link.href = map + search;
      link.textContent = "Bekijk deze selectie op de kaart";
      status.appendChild(link);
    }
  }
  function show() {
    var picked = chosen();
    var search = query(picked);
    history.replaceState(null, "", location.pathname + search + location.hash);
    if (!search) {
      results.hidden = true;
      pages.hidden = false;
      status.textContent = "";
      return;
    }
    var matches = fiches.filter(function (fiche) {
      return Object.keys(picked).every(function (name) {
        return (fiche.values[name] || []).indexOf(picked[name]) !== -1;
      });
    });
    results.textContent = "";
    matches.forEach(function (fiche) { results.appendChild(card(fiche)); });
    results.hidden = false;
    pages.hidden = true;
    say(matches.length, search);
  }
  function update() {
    if (fiches) { show(); return; }
    fetch(form.getAttribute("data-index")).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (rows) {
      fiches = rows;
      show();
    }).catch(function () {
      status.textContent = "Filteren lukt nu niet; de volledige lijst staat hieronder.";
    });
  }

  var params = new URLSearchParams(location.search);
  selects.forEach(function (s) {
    var wanted = params.get(s.name);
    if (wanted && s.querySelector('option[value="' + CSS.escape(wanted) + '"]')) { s.value = wanted; }
    s.addEventListener("change", update);
  });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  form.hidden = false;
  if (Object.keys(chosen()).length) { update(); }
})();
