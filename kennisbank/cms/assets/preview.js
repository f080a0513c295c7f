// The editor's preview pane: the page as the site shows it, with the site's own stylesheets.
// Loaded after decap-cms.js; the build fills in data-styles (site stylesheets) and
// data-collections (every collection of the generated config.yml).
(function () {
  "use strict";
  var script = document.currentScript;
  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  if (!CMS || !h || !createClass) return; // the page keeps its message: the editor is missing
  var waiting = document.getElementById("kb-zonder-editor");
  if (waiting) waiting.remove();

  JSON.parse(script.dataset.styles).forEach(function (href) {
    CMS.registerPreviewStyle(new URL(href, document.baseURI).href);
  });

  // Fields shown in their own place on the page, not in the fact box.
  var OWN_PLACE = ["title", "summary", "body", "photos", "image", "contacts", "links", "draft",
                   "themes", "cities", "tags"];

  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  function shown(field, value) {
    value = plain(value);
    if (value === undefined || value === null || value === "" || value === false) return "";
    var labels = {};
    (plain(field.get("options")) || []).forEach(function (option) {
      if (option && typeof option === "object") labels[option.value] = option.label;
    });
    var values = Array.isArray(value) ? value : [value];
    return values.map(function (one) {
      if (one && typeof one === "object") {
        return Object.keys(one).map(function (key) { return one[key]; }).filter(Boolean).join(", ");
      }
      if (one === true) return "ja";
      return labels[one] || String(one);
    }).filter(Boolean).join(", ");
  }

  function section(id, title, children) {
    return h("section", { className: "kb-" + id, "aria-labelledby": "kb-voorbeeld-" + id },
      h("h2", { id: "kb-voorbeeld-" + id }, title), children);
  }

  var Preview = createClass({
    render: function () {
      var props = this.props, data = props.entry.get("data");
      var facts = [], topics = [];
      props.fields.forEach(function (field) {
        var name = field.get("name"), text = shown(field, data.get(name));
        if (!text) return;
        var row = [h("dt", { key: name + "-label" }, field.get("label")), h("dd", { key: name }, text)];
        if (["themes", "cities", "tags"].indexOf(name) >= 0) topics.push(row);
        else if (OWN_PLACE.indexOf(name) < 0) facts.push(row);
      });
      var photos = plain(data.get("photos")) || [];
      var image = plain(data.get("image"));
      if (image && image.src) photos = [image].concat(photos);
      var contacts = plain(data.get("contacts")) || [];
      var links = plain(data.get("links")) || [];
      return h("main", { className: "md-typeset kb-page kb-item" },
        h("article", {},
          h("h1", {}, data.get("title") || (data.get("number") ? "Nieuwsbrief " + data.get("number") : "")),
          data.get("summary") ? h("p", { className: "kb-summary" }, data.get("summary")) : null,
          facts.length ? section("facts", "In het kort", h("dl", {}, facts)) : null,
          h("div", { className: "kb-body" }, props.widgetFor("body")),
          photos.length ? section("gallery", "Foto's", h("ul", {}, photos.map(function (photo, index) {
            return h("li", { key: index }, h("figure", {},
              photo.src ? h("img", { src: String(props.getAsset(photo.src)), alt: photo.alt || "" }) : null,
              h("figcaption", {}, photo.alt || "", photo.credit ? h("span", { className: "kb-credit" }, " " + photo.credit) : null)));
          }))) : null,
          contacts.length ? section("contacts", "Contact", h("ul", {}, contacts.map(function (c, index) {
            return h("li", { key: index }, h("strong", {}, c.name || ""), c.role ? ", " + c.role : "",
              c.organisation ? " (" + c.organisation + ")" : "", c.email ? h("span", {}, h("br"), c.email) : null);
          }))) : null,
          links.length ? section("more", "Links", h("ul", {}, links.map(function (link, index) {
            return h("li", { key: index }, h("a", { href: link.url }, link.title || link.url));
          }))) : null,
          topics.length ? section("topics", "Onderwerpen", h("dl", {}, topics)) : null));
    }
  });

  JSON.parse(script.dataset.collections).forEach(function (name) {
    CMS.registerPreviewTemplate(name, Preview);
  });
})();
