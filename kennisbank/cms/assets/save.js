// What the editor writes: an optional field left empty is left out of the front matter.
// Decap stores a cleared field as "" (a date picker's "Wissen", a text field emptied again), and
// `kennisbank check` rightly refuses `end: ''` or `registration: ''`: absent is what the model
// means by "not given". Runs on Decap's preSave event, before the file and its path are made.
(function () {
  "use strict";
  var CMS = window.CMS;
  if (!CMS || typeof CMS.registerEventListener !== "function") return;

  function isCollection(value) {  // an Immutable Map or List (a field's object or list value)
    return value !== null && typeof value === "object" && typeof value.toJS === "function";
  }

  function pruned(value) {
    if (!isCollection(value)) return value;
    return value.map(pruned).filter(function (inner) { return inner !== "" && inner !== undefined; });
  }

  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var data = event.entry.get("data");
      return data.map(function (value, name) { return name === "body" ? value : pruned(value); })
        .filter(function (value, name) { return name === "body" || value !== ""; });
    }
  });
})();
