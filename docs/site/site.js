// The docs site's behaviour. SiteBuilder copies this file to docs/_site/assets/site.js. Everything works from
// file:// (the search index is a script, window.autogradrnnSearchIndex, not JSON to fetch).
(function () {
  "use strict";

  // Wide tables (the cells table) scroll inside their own box.
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".output") || table.parentElement.classList.contains("table-scroll")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-scroll";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }

  // highlight.js on every code block: notebook cells (language-csharp, language-fsharp) and Markdown fences
  // (language-bash, language-json, …). A block without a known language is shown as plain text, never guessed.
  function highlight() {
    if (!window.hljs) return;
    document.querySelectorAll("pre > code").forEach(function (code) {
      var m = /(?:^|\s)language-(\S+)/.exec(code.className);
      if (!m || !hljs.getLanguage(m[1])) {
        if (m) code.classList.remove(m[0].trim());
        code.classList.add("language-plaintext");
      }
      hljs.highlightElement(code);
    });
  }

  // A copy button on every code block.
  function copyText(text) {
    function fallback() {
      return new Promise(function (resolve, reject) {
        var area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.top = "-1000px";
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        document.body.removeChild(area);
        if (ok) resolve(); else reject(new Error("copy failed"));
      });
    }
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).catch(fallback);
    return fallback();
  }

  function copyButtons() {
    document.querySelectorAll("pre > code").forEach(function (code) {
      var pre = code.parentElement;
      var wrap = document.createElement("div");
      wrap.className = "codeblock";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the code to the clipboard");
      button.addEventListener("click", function () {
        function show(label) {
          button.textContent = label;
          setTimeout(function () { button.textContent = "Copy"; }, 2000);
        }
        copyText(code.textContent).then(function () { show("Copied"); }, function () { show("Copy failed"); });
      });
      wrap.appendChild(button);
    });
  }

  // KaTeX over the page, as the notebooks write math ($…$, $$…$$; Markdig passes them on as \(…\) and \[…\]).
  function math() {
    renderMathInElement(document.body, {
      delimiters: [ {left: "$$", right: "$$", display: true}, {left: "\\[", right: "\\]", display: true},
                    {left: "\\(", right: "\\)", display: false}, {left: "$", right: "$", display: false} ],
      ignoredClasses: ["source", "output", "search"], throwOnError: false });
  }

  // Search: every term must occur in the page (as a word or the start of one); pages rank by how often and where
  // (title, heading, text), each with its best sections.
  function prepare(index) {
    index.forEach(function (page) {
      page.title = page.t.toLowerCase();
      page.s.forEach(function (section) {
        section.heading = (section.h || "").toLowerCase();
        section.words = section.w ? section.w.split(" ").map(function (wc) {
          var i = wc.lastIndexOf(":");
          return [wc.slice(0, i), +wc.slice(i + 1)];
        }) : [];
      });
    });
    return index;
  }

  function search(index, query) {
    var terms = (query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []);
    if (terms.length === 0) return [];
    var results = [];
    index.forEach(function (page, order) {
      var total = 0, sections = [];
      var found = terms.map(function () { return false; });
      page.s.forEach(function (section) {
        var score = 0;
        terms.forEach(function (term, k) {
          var s = 0;
          if (section.heading.indexOf(term) >= 0) s += 5;
          section.words.forEach(function (w) { if (w[0].lastIndexOf(term, 0) === 0) s += Math.log2(1 + w[1]) * (w[0] === term ? 1 : 0.5); });
          if (s > 0) found[k] = true;
          score += s;
        });
        if (score > 0) { total += score; sections.push({ section: section, score: score }); }
      });
      terms.forEach(function (term, k) { if (page.title.indexOf(term) >= 0) { found[k] = true; total += 10; } });
      if (found.every(Boolean)) {
        sections.sort(function (a, b) { return b.score - a.score; });
        results.push({ page: page, score: total, order: order, sections: sections.slice(0, 2).map(function (x) { return x.section; }) });
      }
    });
    results.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return results.slice(0, 12);
  }

  function setupSearch() {
    var input = document.getElementById("search"), list = document.getElementById("search-results");
    if (!input || !list) return;
    var index = prepare(window.autogradrnnSearchIndex || []);
    var root = document.body.getAttribute("data-root") || "";
    function item(cls, text, href) {
      var a = document.createElement("a");
      a.className = cls;
      a.href = href;
      a.textContent = text;
      return a;
    }
    function show() {
      var query = input.value.trim();
      list.textContent = "";
      if (query === "") { list.hidden = true; return; }
      var results = search(index, query);
      if (results.length === 0) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = "No page mentions “" + query + "”.";
        list.appendChild(none);
      }
      results.forEach(function (r) {
        var li = document.createElement("li");
        li.appendChild(item("result-page", r.page.t, root + r.page.u));
        r.sections.forEach(function (s) {
          if (s.a) li.appendChild(item("result-section", "› " + s.h, root + r.page.u + "#" + s.a));
        });
        var best = r.sections[0];
        if (best && best.x) {
          var excerpt = document.createElement("div");
          excerpt.className = "excerpt";
          excerpt.textContent = best.x;
          li.appendChild(excerpt);
        }
        list.appendChild(li);
      });
      if (window.renderMathInElement)
        renderMathInElement(list, { delimiters: [ {left: "\\(", right: "\\)", display: false} ], throwOnError: false });
      list.hidden = false;
    }
    input.addEventListener("input", show);
    input.addEventListener("focus", function () { if (input.value.trim() !== "") show(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; show(); input.blur(); }
      if (e.key === "Enter") { var first = list.querySelector("a"); if (first) window.location.href = first.href; }
    });
    document.addEventListener("click", function (e) { if (!e.target.closest(".search")) list.hidden = true; });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input && !/^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName)) { e.preventDefault(); input.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wrapTables();
    highlight();
    copyButtons();
    window.autogradrnnHighlightDone = true;
    setupSearch();
    math();
    window.autogradrnnMathDone = true;
  });
})();
