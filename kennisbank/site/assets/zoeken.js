/* kennisbank: the search page (/zoeken/). No framework, no network but the search API.
 *
 * State (query, filters, sort, page) lives in the URL, in the API's own parameter names:
 * /zoeken/?q=kerk&collection=kerken&city=gent&sort=date&page=2. Typing replaces the current
 * history entry (the first keystroke of a new query pushes one); every other change pushes one;
 * popstate restores. A keystroke after a pause searches at once, the rest of a burst is debounced,
 * and stale requests are aborted.
 * Everything from the API is inserted as text; snippets are parsed so that only <mark> survives.
 * After every render the root element gets data-state and fires "kb-zoeken:rendered" (with the
 * keystroke-to-render latency in ms), which the tests and scripts/bench_searchpage.py use.
 */
(function () {
  "use strict";

  var root = document.getElementById("kb-zoeken");
  if (!root || !window.fetch || !window.history.pushState) return;

  var DEBOUNCE_MS = 60;   // between keystrokes of a burst
  var PAUSE_MS = 300;     // a keystroke after a pause this long searches at once
  var VISIBLE_VALUES = 6;
  var MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december"];
  var UNREACHABLE = "De zoekdienst is niet bereikbaar. Probeer het later opnieuw.";
  var RESERVED = { q: 1, sort: 1, page: 1 };

  var api = (root.getAttribute("data-api") || "/api").replace(/\/+$/, "");
  var baseFacets = (root.getAttribute("data-facets") || "type,collection,theme,city,year").split(",");
  var perPage = parseInt(root.getAttribute("data-per-page"), 10) || 10;
  var site = root.getAttribute("data-site") || "";  // a thematic site searches only what it shows

  var form = root.querySelector(".kb-zoeken__form");
  var input = document.getElementById("kb-q");
  var status = document.getElementById("kb-status");
  var errorBox = document.getElementById("kb-fout");
  var details = document.getElementById("kb-filters");
  var activeCount = document.getElementById("kb-filters-actief");
  var facetsBox = document.getElementById("kb-facetten");
  var chipsBox = document.getElementById("kb-chips");
  var chipList = chipsBox.querySelector("ul");
  var clearButton = chipsBox.querySelector(".kb-chips__clear");
  var sortButtons = root.querySelectorAll(".kb-sort__option");
  var results = document.getElementById("kb-resultaten");
  var pager = document.getElementById("kb-paginas");
  var baseTitle = document.title;

  var state = readUrl();
  var labels = {};        // field -> {value: label}, and "" -> {field: facet label}
  var expanded = {};      // facet fields whose long value list is open
  var ids = {};           // "field\u0000value" -> checkbox id, stable across renders
  var cache = {};         // request URL -> response body (back/forward and re-typing are instant)
  var cacheKeys = [];
  var typing = false;
  var timer = 0;
  var controller = null;
  var serial = 0;
  var lastInputAt = null;
  var previousKeyAt = -Infinity;
  var notice = "";

  // ------------------------------------------------------------------ state and URL

  function readUrl() {
    var params = new URLSearchParams(location.search);
    var next = { q: "", filters: {}, sort: "", page: 1 };
    params.forEach(function (value, name) {
      if (name === "q") next.q = value.slice(0, 200);
      else if (name === "sort") next.sort = value === "date" || value === "relevance" ? value : "";
      else if (name === "page") next.page = Math.max(1, Math.min(1000, parseInt(value, 10) || 1));
      else if (value && !RESERVED[name]) {
        var list = next.filters[name] || (next.filters[name] = []);
        if (list.indexOf(value) < 0) list.push(value);
      }
    });
    return next;
  }

  function filterPairs(s) {
    var pairs = [];
    Object.keys(s.filters).forEach(function (field) {
      s.filters[field].forEach(function (value) { pairs.push([field, value]); });
    });
    return pairs;
  }

  function effectiveSort(s) { return s.sort || (s.q.trim() ? "relevance" : "date"); }

  function pageQuery(s, page) {
    var params = new URLSearchParams();
    if (s.q) params.set("q", s.q);
    filterPairs(s).forEach(function (p) { params.append(p[0], p[1]); });
    if (s.sort) params.set("sort", s.sort);
    if (page > 1) params.set("page", String(page));
    var text = params.toString();
    return location.pathname + (text ? "?" + text : "");
  }

  function apiUrl(s) {
    var params = new URLSearchParams();
    if (s.q.trim()) params.set("q", s.q.trim());
    params.set("sort", effectiveSort(s));
    if (s.page > 1) params.set("page", String(s.page));
    params.set("per_page", String(perPage));
    if (site) params.set("site", site);
    var one = s.filters.collection && s.filters.collection.length === 1;
    if (!one) {  // one collection chosen: every facet, so its own facets appear too
      var wanted = baseFacets.slice();
      Object.keys(s.filters).forEach(function (f) { if (wanted.indexOf(f) < 0) wanted.push(f); });
      params.set("facets", wanted.join(","));
    }
    filterPairs(s).forEach(function (p) { params.append(p[0], p[1]); });
    return api + "/search?" + params.toString();
  }

  function save(push) {
    var url = pageQuery(state, state.page);
    if (url === location.pathname + location.search && !push) return;
    if (push && url !== location.pathname + location.search) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  /** A change other than typing: a new history entry and an immediate search. */
  function commit() {
    typing = false;
    save(true);
    search();
  }

  // ------------------------------------------------------------------ fetching

  function search() {
    clearTimeout(timer);
    timer = 0;
    if (controller) controller.abort();
    var url = apiUrl(state);
    var asked = JSON.parse(JSON.stringify(state));  // what the answer is for: typing may go on
    var mine = ++serial;
    busy();
    if (cache[url]) { show(cache[url], asked); return; }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (mine !== serial) return;
        if (answer.ok && answer.body && answer.body.hits) {
          remember(url, answer.body);
          show(answer.body, asked);
        } else if (answer.status === 422 && answer.body && dropInvalid(answer.body.parameter)) {
          notice = "Een deel van deze zoekopdracht bestaat niet meer en is weggelaten.";
          save(false);
          search();
        } else {
          fail();
        }
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") return;
        if (mine === serial) fail();
      });
  }

  function remember(url, body) {
    cache[url] = body;
    cacheKeys.push(url);
    if (cacheKeys.length > 40) delete cache[cacheKeys.shift()];
  }

  /** A shared link may name a filter value that no longer exists: drop that parameter. */
  function dropInvalid(parameter) {
    if (!parameter) return false;
    if (state.filters[parameter]) { delete state.filters[parameter]; return true; }
    if (parameter === "page" && state.page !== 1) { state.page = 1; return true; }
    if (parameter === "sort" && state.sort) { state.sort = ""; return true; }
    return false;
  }

  /** The first keystroke after a pause searches at once; the rest of a burst is debounced. */
  function schedule(now) {
    clearTimeout(timer);
    busy();  // the results shown no longer answer what is in the box
    if (now - previousKeyAt >= PAUSE_MS) search();
    else timer = setTimeout(search, DEBOUNCE_MS);
    previousKeyAt = now;
  }

  // ------------------------------------------------------------------ rendering

  function busy() {
    root.setAttribute("data-state", "loading");
    results.setAttribute("aria-busy", "true");
  }

  /** Render ``body``, the answer to the search state ``asked``. */
  function show(body, asked) {
    if (body.pages > 0 && state.page > body.pages) {  // an old link past the last page
      state.page = body.pages;
      save(false);
      search();
      return;
    }
    learnLabels(body.facets || []);
    errorBox.hidden = true;
    renderControls();
    renderFacets(body.facets || []);
    renderResults(body);
    renderPager(body);
    status.textContent = summary(body, asked) + (notice ? " " + notice : "");
    var header = document.getElementById("kb-zoekterm");  // the header's search box shows the query too
    if (header && document.activeElement !== header) header.value = state.q;
    notice = "";
    if (!timer) {  // ready only when no keystroke waits for its search
      results.removeAttribute("aria-busy");
      root.setAttribute("data-state", "ready");
    }
    var latency = lastInputAt === null ? null : performance.now() - lastInputAt;
    lastInputAt = null;
    announce({ latency: latency, total: body.total });
  }

  function fail() {
    results.removeAttribute("aria-busy");
    clear(results);
    pager.hidden = true;
    status.textContent = "";
    clear(errorBox);
    errorBox.appendChild(el("p", null, UNREACHABLE));
    var retry = el("button", "kb-zoeken__retry", "Opnieuw proberen");
    retry.type = "button";
    retry.addEventListener("click", search);
    errorBox.appendChild(retry);
    errorBox.hidden = false;
    root.setAttribute("data-state", "error");
    announce({ latency: null, error: true });
  }

  /** Tell tests and the benchmark that a render finished (bubbles to document). */
  function announce(detail) {
    root.dispatchEvent(new CustomEvent("kb-zoeken:rendered", { bubbles: true, detail: detail }));
  }

  function learnLabels(facets) {
    labels[""] = labels[""] || {};
    facets.forEach(function (facet) {
      labels[""][facet.field] = facet.label;
      var known = labels[facet.field] || (labels[facet.field] = {});
      facet.values.forEach(function (v) { known[v.value] = v.label; });
    });
  }

  function label(field, value) {
    return (labels[field] && labels[field][value]) || value;
  }

  function summary(body, asked) {
    var n = body.total;
    var count = n === 1 ? "1 resultaat" : formatNumber(n) + " resultaten";
    var q = asked.q.trim();
    var filters = filterPairs(asked).length;
    var text;
    if (n === 0) text = q ? "Geen resultaten voor ‘" + q + "’" : "Geen resultaten";
    else text = q ? count + " voor ‘" + q + "’" : (filters ? count : "Alle " + count.replace("resultaten", "items"));
    if (filters) text += filters === 1 ? " met 1 filter" : " met " + filters + " filters";
    if (body.pages > 1) text += " · pagina " + body.page + " van " + body.pages;
    return text + ".";
  }

  function renderControls() {
    if (input.value !== state.q && document.activeElement !== input) input.value = state.q;
    var sort = effectiveSort(state);
    for (var i = 0; i < sortButtons.length; i++) {
      sortButtons[i].setAttribute("aria-pressed", String(sortButtons[i].getAttribute("data-sort") === sort));
    }
    renderChips();
    document.title = state.q.trim() ? "Zoeken: " + state.q.trim() + " - " + baseTitle.replace(/^Zoeken - /, "") : baseTitle;
  }

  function renderChips() {
    var pairs = filterPairs(state);
    clear(chipList);
    pairs.forEach(function (pair, index) {
      var button = el("button", "kb-chip");
      button.type = "button";
      button.setAttribute("data-index", String(index));
      button.appendChild(el("span", "kb-sr-only", "Verwijder filter "));
      button.appendChild(el("span", "kb-chip__field", label("", pair[0]) + ": "));
      button.appendChild(document.createTextNode(label(pair[0], pair[1])));
      var x = el("span", "kb-chip__x", "×");
      x.setAttribute("aria-hidden", "true");
      button.appendChild(x);
      button.addEventListener("click", function () { removeFilter(pair[0], pair[1], index); });
      var item = el("li");
      item.appendChild(button);
      chipList.appendChild(item);
    });
    chipsBox.hidden = pairs.length === 0;
    activeCount.textContent = pairs.length ? "(" + pairs.length + " actief)" : "";
  }

  function renderFacets(facets) {
    var focused = document.activeElement && facetsBox.contains(document.activeElement) ? document.activeElement.id : "";
    var one = state.filters.collection && state.filters.collection.length === 1;
    clear(facetsBox);
    facets.forEach(function (facet) {
      var base = baseFacets.indexOf(facet.field) >= 0;
      if (!facet.values.length || (!base && !one && !state.filters[facet.field])) return;
      facetsBox.appendChild(facetGroup(facet));
    });
    if (!facetsBox.firstChild) facetsBox.appendChild(el("p", "kb-facet__none", "Geen filters voor deze resultaten."));
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  function facetGroup(facet) {
    var set = el("fieldset", "kb-facet");
    set.appendChild(el("legend", "kb-facet__legend", facet.label));
    var list = el("ul", "kb-facet__values");
    list.id = "kb-facet-" + facet.field;
    var open = expanded[facet.field];
    var hiddenCount = 0;
    facet.values.forEach(function (v, index) {
      var hide = !open && index >= VISIBLE_VALUES && !v.selected;
      if (hide) { hiddenCount++; return; }
      list.appendChild(facetValue(facet.field, v));
    });
    set.appendChild(list);
    if (hiddenCount || (open && facet.values.length > VISIBLE_VALUES)) {
      var more = el("button", "kb-facet__more", open ? "Toon minder" : "Toon alle " + facet.values.length);
      more.type = "button";
      more.id = "kb-meer-" + facet.field;
      more.setAttribute("aria-expanded", String(!!open));
      more.setAttribute("aria-controls", list.id);
      more.addEventListener("click", function () {
        expanded[facet.field] = !expanded[facet.field];
        var fresh = facetGroup(facet);
        set.parentNode.replaceChild(fresh, set);
        document.getElementById(more.id).focus();
      });
      set.appendChild(more);
    }
    return set;
  }

  function facetValue(field, v) {
    var key = field + "\u0000" + v.value;
    var id = ids[key] || (ids[key] = "kb-f" + Object.keys(ids).length);
    var item = el("li", "kb-facet__value");
    var box = el("input");
    box.type = "checkbox";
    box.id = id;
    box.checked = !!v.selected;
    box.addEventListener("change", function () { toggleFilter(field, v.value, box.checked); });
    var text = el("label", null, v.label + " ");
    text.htmlFor = id;
    var count = el("span", "kb-facet__count", formatNumber(v.count));
    count.appendChild(el("span", "kb-sr-only", v.count === 1 ? " resultaat" : " resultaten"));
    text.appendChild(count);
    item.appendChild(box);
    item.appendChild(text);
    return item;
  }

  function renderResults(body) {
    clear(results);
    if (!body.hits.length) { results.appendChild(emptyState()); return; }
    var list = el("ol", "kb-results");
    list.start = (body.page - 1) * body.per_page + 1;
    body.hits.forEach(function (hit) {
      var item = el("li", "kb-result");
      var link = el("a", "kb-result__title", hit.title);
      link.href = hit.url;
      item.appendChild(link);
      var meta = el("span", "kb-result__meta");
      meta.appendChild(el("span", "kb-result__type", typeLabel(hit)));
      if (hit.date) {
        meta.appendChild(document.createTextNode(" · "));
        var time = el("time", null, formatDate(hit.date));
        time.setAttribute("datetime", hit.date);
        meta.appendChild(time);
      }
      item.appendChild(meta);
      if (hit.snippet) {
        var snippet = el("p", "kb-result__snippet");
        appendSnippet(snippet, hit.snippet);
        item.appendChild(snippet);
      }
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function typeLabel(hit) {
    var section = hit.id.split("/")[0];
    if (hit.type === "case" && labels.collection && labels.collection[section]) return labels.collection[section];
    return label("type", hit.type);
  }

  function emptyState() {
    var box = el("div", "kb-empty");
    var q = state.q.trim();
    box.appendChild(el("h2", "kb-empty__title", "Zo vind je toch iets"));  // the status line already says "Geen resultaten"
    var tips = el("ul", "kb-empty__tips");
    if (q) {
      tips.appendChild(el("li", null, "Controleer de spelling of probeer een ander woord (bijvoorbeeld ‘kerk’ in plaats van ‘kerkgebouw’)."));
      tips.appendChild(el("li", null, "Gebruik minder woorden: elk woord moet voorkomen."));
    }
    if (filterPairs(state).length) {
      var item = el("li");
      var button = el("button", "kb-empty__clear", "Zoek zonder filters");
      button.type = "button";
      button.addEventListener("click", function () { clearFilters(); });
      item.appendChild(button);
      tips.appendChild(item);
    }
    box.appendChild(tips);
    var browse = el("p", null, "Of blader per ");
    [["/themas/", "thema"], ["/steden/", "stad"], ["/tags/", "tag"]].forEach(function (pair, i) {
      if (i) browse.appendChild(document.createTextNode(i === 2 ? " of " : ", "));
      var link = el("a", null, pair[1]);
      link.href = pair[0];
      browse.appendChild(link);
    });
    browse.appendChild(document.createTextNode("."));
    box.appendChild(browse);
    return box;
  }

  function renderPager(body) {
    clear(pager);
    pager.hidden = body.pages <= 1;
    if (pager.hidden) return;
    var list = el("ul");
    var current = body.page;
    if (current > 1) list.appendChild(pageItem(current - 1, "Vorige", "prev"));
    pageNumbers(current, body.pages).forEach(function (n) {
      if (n === 0) { var gap = el("li", "kb-pages__gap", "…"); gap.setAttribute("aria-hidden", "true"); list.appendChild(gap); }
      else if (n === current) {
        var here = el("li");
        var span = el("span", "kb-pages__current");
        span.setAttribute("aria-current", "page");
        span.appendChild(el("span", "kb-sr-only", "Pagina "));
        span.appendChild(document.createTextNode(String(n)));
        here.appendChild(span);
        list.appendChild(here);
      } else list.appendChild(pageItem(n, String(n), null));
    });
    if (current < body.pages) list.appendChild(pageItem(current + 1, "Volgende", "next"));
    pager.appendChild(list);
  }

  function pageNumbers(current, count) {
    var numbers = [];
    for (var n = 1; n <= count; n++) {
      if (n === 1 || n === count || Math.abs(n - current) <= 2) numbers.push(n);
      else if (numbers[numbers.length - 1] !== 0) numbers.push(0);
    }
    return numbers;
  }

  function pageItem(number, text, rel) {
    var item = el("li");
    var link = el("a", "kb-pages__link");
    if (/^\d+$/.test(text)) link.appendChild(el("span", "kb-sr-only", "Pagina "));
    link.appendChild(document.createTextNode(text));
    link.href = pageQuery(state, number);
    if (rel) link.rel = rel;
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button) return;
      event.preventDefault();
      state.page = number;
      commit();
      results.focus();
    });
    item.appendChild(link);
    return item;
  }

  // ------------------------------------------------------------------ changes

  function toggleFilter(field, value, on) {
    var list = state.filters[field] || [];
    if (on && list.indexOf(value) < 0) list = list.concat([value]);
    if (!on) list = list.filter(function (v) { return v !== value; });
    if (list.length) state.filters[field] = list; else delete state.filters[field];
    state.page = 1;
    commit();
  }

  function removeFilter(field, value, index) {
    toggleFilter(field, value, false);
    renderChips();
    var buttons = chipList.querySelectorAll("button");
    if (buttons.length) buttons[Math.min(index, buttons.length - 1)].focus();
    else input.focus();
  }

  function clearFilters() {
    state.filters = {};
    state.page = 1;
    commit();
    renderChips();
    input.focus();
  }

  // ------------------------------------------------------------------ helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function formatNumber(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    return m ? parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1] : iso;
  }

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" };

  function decode(text) {
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, function (all, name) {
      if (name.charAt(0) === "#") {
        var code = name.charAt(1).toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
      }
      return ENTITIES[name.toLowerCase()] || all;
    });
  }

  /** Snippet HTML as DOM nodes: text nodes, plus <mark> for exactly "<mark>"/"</mark>".
   *  Any other markup stays visible as text; nothing is parsed as HTML. */
  function appendSnippet(target, html) {
    var parent = target;
    html.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>" && parent === target) parent = target.appendChild(el("mark"));
      else if (part === "</mark>" && parent !== target) parent = target;
      else if (part && part !== "<mark>" && part !== "</mark>") parent.appendChild(document.createTextNode(decode(part)));
    });
  }

  // ------------------------------------------------------------------ wiring

  input.addEventListener("input", function (event) {
    lastInputAt = event.timeStamp || performance.now();
    state.q = input.value.slice(0, 200);
    state.page = 1;
    save(!typing);
    typing = true;
    schedule(lastInputAt);
  });
  input.addEventListener("blur", function () { typing = false; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    typing = false;
    state.q = input.value.slice(0, 200);
    save(false);
    search();
  });

  var headerForm = document.querySelector("form.kb-search");
  if (headerForm) {  // the header box on this page searches in place instead of reloading
    headerForm.addEventListener("submit", function (event) {
      var field = headerForm.querySelector("input[name=q]");
      if (!field) return;
      event.preventDefault();
      state.q = field.value.slice(0, 200);
      state.page = 1;
      input.value = state.q;
      commit();
    });
  }

  for (var i = 0; i < sortButtons.length; i++) {
    sortButtons[i].addEventListener("click", function (event) {
      var sort = event.currentTarget.getAttribute("data-sort");
      if (sort === effectiveSort(state)) return;
      state.sort = sort;
      state.page = 1;
      commit();
    });
  }
  clearButton.addEventListener("click", clearFilters);

  window.addEventListener("popstate", function () {
    typing = false;
    state = readUrl();
    input.value = state.q;
    search();
  });

  var wide = window.matchMedia("(min-width: 60em)");
  function fitFilters() { details.open = wide.matches; }
  if (wide.addEventListener) wide.addEventListener("change", fitFilters);
  fitFilters();

  input.value = state.q;
  renderControls();
  search();
})();
