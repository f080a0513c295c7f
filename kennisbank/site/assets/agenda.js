/* kennisbank agenda: events that have ended since the site was built leave "Komende
   activiteiten" by the visitor's clock, and lose their registration button. The page is right for
   the build date without this script. Times in data-kb-ends are Belgian local times. */
(function () {
  "use strict";
  var now = Date.now();
  function ended(element) {
    var ends = element.getAttribute("data-kb-ends");
    return ends && Date.parse(ends) < now;  /* "YYYY-MM-DDTHH:MM" is read as local time */
  }
  function dropCallToAction(element) {
    element.querySelectorAll(".kb-cta").forEach(function (cta) { cta.remove(); });
  }
  var upcoming = document.getElementById("kb-komend-lijst");
  var past = document.getElementById("kb-voorbij-lijst");
  if (upcoming && past) {
    var moved = Array.prototype.filter.call(upcoming.children, ended);
    moved.reverse().forEach(function (event) {
      dropCallToAction(event);
      past.insertBefore(event, past.firstChild);
    });
    if (moved.length && !upcoming.children.length) {
      document.getElementById("kb-geen-komend").hidden = false;
    }
    var none = document.getElementById("kb-geen-voorbij");
    if (none && past.children.length) { none.hidden = true; }
  }
  document.querySelectorAll(".kb-registration[data-kb-ends]").forEach(function (box) {
    if (ended(box)) { dropCallToAction(box); }
  });
}());
