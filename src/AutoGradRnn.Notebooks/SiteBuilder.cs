using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Extensions.EmphasisExtras;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace AutoGradRnn.Notebooks;

/// <summary>
/// Builds the static documentation site: an index, one page per notebook (with its committed outputs) and one
/// per <c>docs/*.md</c>, in reading order, each with breadcrumbs, a table of contents, previous/next links and a
/// search box over a client-side index written at build time. Math is rendered by KaTeX, code by highlight.js and
/// charts by plotly.js, all copied into the site, so it works offline from <c>file://</c>.
/// </summary>
public static partial class SiteBuilder
{
    /// <summary>
    /// The Markdown dialect of the notebooks and the docs, chosen extension by extension. Math comes first, so
    /// <c>$…$</c> and <c>$$…$$</c> reach KaTeX untouched (no emphasis inside <c>f_t * C_{t-1}</c>). Not enabled, because
    /// they corrupt equations written outside math: generic attributes (<c>h_{t-1}</c> became <c>h_</c>), and the
    /// subscript and superscript emphasis extras (<c>~</c>, <c>^</c>).
    /// </summary>
    internal static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseMathematics()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .UseAutoLinks()
        .UseEmphasisExtras(EmphasisExtraOptions.Strikethrough)
        .Build();

    /// <summary>The docs pages in reading order, after the notebooks; any other docs/*.md follow alphabetically.</summary>
    private static readonly string[] DocsOrder = ["architecture", "cells", "training", "fsharp", "notebooks", "results", "performance", "reliability", "errors"];

    /// <summary>
    /// A page of the site: its path relative to the site root, its title as inline Markdown (e.g. <c>*Moby Dick*</c>),
    /// and the section it belongs to (<c>Notebooks</c>, <c>Documentation</c>, or empty for the index).
    /// </summary>
    public sealed record Page(string Path, string Title, string Section = "")
    {
        /// <summary>The title as HTML (inline Markdown rendered).</summary>
        public string TitleHtml => InlineHtml(Title);

        /// <summary>The title as plain text, for the window title and the search index.</summary>
        public string TitleText => PlainText(TitleHtml);
    }

    /// <summary>
    /// Writes the site for the repository at <paramref name="root"/> into <paramref name="output"/>, copying
    /// plotly.js, KaTeX and highlight.js from <paramref name="nodeModules"/> (an npm <c>node_modules</c> folder holding
    /// <c>plotly.js-dist-min</c>, <c>katex</c> and <c>@highlightjs/cdn-assets</c>). Returns the pages written, in
    /// reading order (the index first).
    /// </summary>
    public static IReadOnlyList<Page> Build(string root, string output, string nodeModules)
    {
        CopyAssets(root, output, nodeModules);
        // Files the site does not carry are linked in the checkout the site was built from (there is no public repository).
        string FileLink(string folder, string repoPath) =>
            Path.GetRelativePath(Path.Combine(Path.GetFullPath(output), folder), Path.Combine(Path.GetFullPath(root), repoPath)).Replace('\\', '/');

        var drafts = new List<Draft>();
        foreach (var nb in Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(nb);
            var notebook = Notebook.Load(nb);
            var (title, numbered) = NotebookTitle(notebook, name);
            var draft = new Draft(new Page($"notebooks/{name}.html", title, "Notebooks"), root, "notebooks", FileLink);
            RenderNotebook(draft, notebook, numbered);
            drafts.Add(draft);
        }
        var docs = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .OrderBy(f => Array.IndexOf(DocsOrder, Path.GetFileNameWithoutExtension(f)) is var i && i >= 0 ? i : int.MaxValue)
            .ThenBy(f => f, StringComparer.Ordinal);
        foreach (var md in docs)
        {
            var text = File.ReadAllText(md);
            var title = FirstHeading(text) ?? Path.GetFileNameWithoutExtension(md);
            var draft = new Draft(new Page($"docs/{Path.GetFileNameWithoutExtension(md)}.html", title, "Documentation"), root, "docs", FileLink);
            draft.Body.Append(draft.Markdown(text));
            drafts.Add(draft);
        }
        var home = new Draft(new Page("index.html", "AutoGradRnn"), root, "", FileLink);
        home.Body.Append(home.Markdown(IndexMarkdown(drafts.Select(d => d.Page).ToList())));
        drafts.Insert(0, home);

        for (int i = 0; i < drafts.Count; i++)
            Write(output, drafts[i], i > 0 ? drafts[i - 1].Page : null, i + 1 < drafts.Count ? drafts[i + 1].Page : null);
        WriteSearchIndex(output, drafts);
        return drafts.Select(d => d.Page).ToList();
    }

    private static void CopyAssets(string root, string output, string nodeModules)
    {
        var plotly = Path.Combine(nodeModules, "plotly.js-dist-min", "plotly.min.js");
        var katex = Path.Combine(nodeModules, "katex", "dist");
        var hljs = Path.Combine(nodeModules, "@highlightjs", "cdn-assets");
        if (!File.Exists(plotly)) throw new FileNotFoundException($"site: plotly.js not found at '{plotly}' (npm install --prefix docs/site)", plotly);
        if (!Directory.Exists(katex)) throw new DirectoryNotFoundException($"site: KaTeX not found at '{katex}' (npm install --prefix docs/site)");
        if (!File.Exists(Path.Combine(hljs, "highlight.min.js"))) throw new DirectoryNotFoundException($"site: highlight.js not found at '{hljs}' (npm install --prefix docs/site)");
        var assets = Path.Combine(output, "assets");
        Directory.CreateDirectory(Path.Combine(assets, "highlight"));
        File.Copy(plotly, Path.Combine(assets, "plotly.min.js"), overwrite: true);
        CopyDirectory(katex, Path.Combine(assets, "katex"));
        // highlight.min.js is the common build (C#, bash, JSON, shell, XML, …); F# is a separate grammar.
        foreach (var (from, to) in new[] { ("highlight.min.js", "highlight.min.js"), ("languages/fsharp.min.js", "fsharp.min.js"), ("styles/github.min.css", "github.min.css"), ("LICENSE", "LICENSE") })
            File.Copy(Path.Combine(hljs, from), Path.Combine(assets, "highlight", to), overwrite: true);
        // The site's own style and behaviour (highlighting, copy buttons, search, math), kept beside package.json.
        foreach (var file in new[] { "site.css", "site.js" })
            File.Copy(Path.Combine(root, "docs", "site", file), Path.Combine(assets, file), overwrite: true);
    }

    /// <summary>The start page: what the project is, where each of the essay's sections is run, and every page.</summary>
    private static string IndexMarkdown(IReadOnlyList<Page> pages)
    {
        string Link(string stem, string? anchor = null, string? text = null)
        {
            var page = pages.SingleOrDefault(p => p.Path == $"notebooks/{stem}.html" || p.Path == $"docs/{stem}.html")
                ?? throw new InvalidOperationException($"site: the index links to '{stem}', which is not a page");
            return $"[{text ?? page.Title}]({page.Path}{(anchor is null ? "" : "#" + anchor)})";
        }
        var md = new StringBuilder();
        md.AppendLine("# AutoGradRnn").AppendLine();
        md.AppendLine("Colah's [*Understanding LSTM Networks*](https://colah.github.io/posts/2015-08-Understanding-LSTMs/), runnable equation by equation: " +
                      "a .NET library of recurrent cells with automatic differentiation, and notebooks (C#, and one in F#) that compute every equation of the essay, " +
                      "check its gradients and plot what it does.").AppendLine();
        md.AppendLine("## Start here").AppendLine();
        md.AppendLine("Read the essay with the notebooks beside it; each of its sections has a notebook that runs it. " +
                      "*Recurrent Neural Networks*, the loop and its unrolling, is " + Link("01-recurrent-networks") + ". " +
                      "*The Problem of Long-Term Dependencies* is " + Link("02-long-term-dependencies") + ": why gradients vanish, measured on real training runs. " +
                      "*LSTM Networks*, *The Core Idea Behind LSTMs* and the *Step-by-Step LSTM Walk Through* are " + Link("03-lstm-step-by-step") + ", gate by gate. " +
                      "*Variants on Long Short Term Memory* (peepholes, coupled gates, the GRU) is the first half of " + Link("04-variants") + ", " +
                      "and the systems the essay's *Conclusion* points to (depth-gated, clockwork and grid LSTMs, and " + Link("04-variants", "8-attention", "attention") + ") are its second half. " +
                      "Every cell's equations are in one place in " + Link("cells") + ".").AppendLine();
        md.AppendLine("Beyond the essay: " + Link("05-the-tape") + " opens the automatic differentiation behind all the gradients, " +
                      Link("06-gradient-checking") + " explains how each notebook checks them, " + Link("07-char-rnn") + " and " +
                      Link("08-forecasting-electricity") + " train models on real data, and " + Link("09-fsharp") + " uses the library from F#.").AppendLine();
        md.AppendLine("## Notebooks").AppendLine();
        foreach (var p in pages.Where(p => p.Section == "Notebooks")) md.AppendLine($"- [{p.Title}]({p.Path})");
        md.AppendLine().AppendLine("## Documentation").AppendLine();
        foreach (var p in pages.Where(p => p.Section == "Documentation")) md.AppendLine($"- [{p.Title}]({p.Path})");
        return md.ToString();
    }

    private static void RenderNotebook(Draft draft, Notebook notebook, string? numberedTitle)
    {
        bool titled = false;
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = (JsonObject)notebook.Cells[i]!;
            var source = Notebook.Source(cell);
            switch (cell["cell_type"]?.GetValue<string>())
            {
                case "markdown":
                    if (!titled && numberedTitle is not null && FirstHeading(source) is not null)
                    {
                        // The notebook's own title lacks its number (09-fsharp): the page shows it numbered like the others.
                        source = TitleLine().Replace(source, "# " + numberedTitle, 1);
                        titled = true;
                    }
                    draft.Body.Append("<div class=\"cell markdown\">").Append(draft.Markdown(source)).Append("</div>");
                    break;
                case "code":
                    var language = notebook.KernelOf(cell);
                    draft.Code(source);
                    draft.Body.Append($"<div class=\"cell code\"><div class=\"prompt\">[{cell["execution_count"]?.ToString() ?? " "}]</div>");
                    draft.Body.Append($"<pre class=\"source\"><code class=\"language-{Enc(language)}\">{Enc(source)}</code></pre>");
                    foreach (var output in cell["outputs"] as JsonArray ?? []) draft.Body.Append(RenderOutput((JsonObject)output!));
                    draft.Body.Append("</div>");
                    break;
            }
        }
    }

    private static string RenderOutput(JsonObject output)
    {
        static string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n?.GetValue<string>() ?? "";
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                return $"<pre class=\"output stream\">{Enc(Text(output["text"]))}</pre>";
            case "error":
                return $"<pre class=\"output error\">{Enc(output["ename"]?.GetValue<string>() + ": " + output["evalue"]?.GetValue<string>())}</pre>";
            default:
                var data = output["data"] as JsonObject ?? [];
                if (data["text/html"] is JsonNode h) return $"<div class=\"output html\">{Text(h)}</div>";
                if (data["image/png"] is JsonNode png) return $"<div class=\"output\"><img src=\"data:image/png;base64,{Text(png).Trim()}\"/></div>";
                if (data["image/svg+xml"] is JsonNode svg) return $"<div class=\"output\">{Text(svg)}</div>";
                return $"<pre class=\"output text\">{Enc(Text(data["text/plain"]))}</pre>";
        }
    }

    private static void Write(string output, Draft draft, Page? previous, Page? next)
    {
        var page = draft.Page;
        var depth = page.Path.Count(c => c == '/');
        var up = string.Concat(Enumerable.Repeat("../", depth));
        string Href(Page p) => up + p.Path;

        var crumbs = new StringBuilder();
        if (page.Path == "index.html") crumbs.Append("<li aria-current=\"page\">Home</li>");
        else
        {
            crumbs.Append($"<li><a href=\"{up}index.html\">Home</a></li>");
            if (page.Section.Length > 0) crumbs.Append($"<li><a href=\"{up}index.html#{page.Section.ToLowerInvariant()}\">{Enc(page.Section)}</a></li>");
            crumbs.Append($"<li aria-current=\"page\">{page.TitleHtml}</li>");
        }

        var toc = new StringBuilder();
        var headings = draft.Headings.Where(h => h.Level is 2 or 3).ToList();
        if (headings.Count >= 2)
        {
            toc.Append("<aside class=\"toc\" aria-labelledby=\"toc-title\"><h2 id=\"toc-title\">On this page</h2><ul>");
            foreach (var h in headings) toc.Append($"<li class=\"level{h.Level}\"><a href=\"#{h.Id}\">{h.Html}</a></li>");
            toc.Append("</ul></aside>");
        }

        var pager = new StringBuilder("<nav class=\"pager\" aria-label=\"Previous and next page\">");
        if (previous is not null) pager.Append($"<a class=\"prev\" rel=\"prev\" href=\"{Href(previous)}\"><span class=\"dir\">← Previous</span><span class=\"name\">{previous.TitleHtml}</span></a>");
        if (next is not null) pager.Append($"<a class=\"next\" rel=\"next\" href=\"{Href(next)}\"><span class=\"dir\">Next →</span><span class=\"name\">{next.TitleHtml}</span></a>");
        pager.Append("</nav>");

        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>{{(page.Path == "index.html" ? "AutoGradRnn" : Enc(page.TitleText) + " — AutoGradRnn")}}</title>
            <link rel="stylesheet" href="{{up}}assets/katex/katex.min.css"/>
            <link rel="stylesheet" href="{{up}}assets/highlight/github.min.css"/>
            <link rel="stylesheet" href="{{up}}assets/site.css"/>
            {{(previous is null ? "" : $"<link rel=\"prev\" href=\"{Href(previous)}\"/>")}}
            {{(next is null ? "" : $"<link rel=\"next\" href=\"{Href(next)}\"/>")}}
            <script src="{{up}}assets/katex/katex.min.js"></script>
            <script src="{{up}}assets/katex/contrib/auto-render.min.js"></script>
            <script src="{{up}}assets/highlight/highlight.min.js"></script>
            <script src="{{up}}assets/highlight/fsharp.min.js"></script>
            <script src="{{up}}assets/plotly.min.js"></script>
            <script src="{{up}}assets/search-index.js"></script>
            <script src="{{up}}assets/site.js"></script>
            </head>
            <body data-root="{{up}}">
            <header class="site">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><ol>{{crumbs}}</ol></nav>
            <div class="search" role="search">
            <input type="search" id="search" placeholder="Search the site" aria-label="Search the site" autocomplete="off" spellcheck="false"/>
            <ol id="search-results" hidden></ol>
            </div>
            </header>
            <div class="layout{{(toc.Length == 0 ? " no-toc" : "")}}">
            <main>
            {{draft.Body}}
            {{pager}}
            </main>
            {{toc}}
            </div>
            </body>
            </html>
            """;
        var path = Path.Combine(output, page.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, html, new UTF8Encoding(false));
    }

    /// <summary>
    /// The search index, a script assigning <c>window.autogradrnnSearchIndex</c> (a script, not JSON to fetch, so that
    /// it loads from <c>file://</c>): per page its URL and title, and per section (the text under one heading) its
    /// heading, anchor, an excerpt, and its words with their counts.
    /// </summary>
    private static void WriteSearchIndex(string output, IReadOnlyList<Draft> drafts)
    {
        var index = new JsonArray();
        foreach (var d in drafts)
        {
            var sections = new JsonArray();
            foreach (var s in d.Sections.Where(s => s.Heading is not null || s.Prose.Length > 0 || s.Code.Length > 0))
                sections.Add(new JsonObject { ["h"] = s.Heading, ["a"] = s.Anchor, ["x"] = Excerpt(s.Excerpt.ToString()), ["w"] = Words(s.Heading + " " + s.Prose + " " + s.Code) });
            index.Add(new JsonObject { ["u"] = d.Page.Path, ["t"] = d.Page.TitleText, ["s"] = sections });
        }
        var json = index.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        File.WriteAllText(Path.Combine(output, "assets", "search-index.js"),
            "// Generated by SiteBuilder: the site's search index (pages, sections, words with counts).\nwindow.autogradrnnSearchIndex = " + json + ";\n",
            new UTF8Encoding(false));
    }

    /// <summary>
    /// The start of a section's text, about 200 characters cut at a space. Inline math stays as <c>\(…\)</c> for KaTeX
    /// to render in the results, and is never cut in the middle.
    /// </summary>
    private static string Excerpt(string text)
    {
        text = Whitespace().Replace(text, " ").Trim();
        if (text.Length <= 200) return text;
        var cut = text.LastIndexOf(' ', 200);
        if (cut < 100) cut = 200;
        var open = text.LastIndexOf("\\(", cut, StringComparison.Ordinal);
        if (open >= 0 && text.IndexOf("\\)", open, StringComparison.Ordinal) is var close && (close < 0 || close + 2 > cut))
            cut = close >= 0 && close + 2 <= 300 ? close + 2 : open;
        return text[..cut].TrimEnd() + " …";
    }

    /// <summary>The words of a section as <c>word:count</c>, most frequent first. CamelCase names also count their parts.</summary>
    private static string Words(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string w) { if (w.Length >= 2 && !StopWords.Contains(w)) counts[w] = counts.GetValueOrDefault(w) + 1; }
        foreach (Match m in Word().Matches(TexCommand().Replace(text, " ")))
        {
            Add(m.Value.ToLowerInvariant());
            var parts = CamelPart().Matches(m.Value);
            if (parts.Count > 1) foreach (Match p in parts) Add(p.Value.ToLowerInvariant());
        }
        return string.Join(' ', counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value}"));
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
        { "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "its", "of", "on", "or", "so", "that", "the", "this", "to", "with" };

    /// <summary>One page being built: its HTML body, its headings (with ids unique on the page) and its search sections.</summary>
    private sealed class Draft(Page page, string root, string folder, Func<string, string, string> fileLink)
    {
        public Page Page { get; } = page;
        public StringBuilder Body { get; } = new();
        public List<Heading> Headings { get; } = [];
        public List<Section> Sections { get; } = [new Section(null, null)];
        private readonly HashSet<string> ids = ["toc-title", "search", "search-results"];

        /// <summary>Renders Markdown to HTML, recording its headings and the text of its sections.</summary>
        public string Markdown(string markdown)
        {
            var document = Markdig.Markdown.Parse(markdown, Pipeline);
            foreach (var block in document)
            {
                if (block is HeadingBlock heading)
                {
                    var attributes = heading.GetAttributes();
                    var id = string.IsNullOrEmpty(attributes.Id) ? "section" : attributes.Id;
                    for (int n = 1; !ids.Add(id); n++) id = $"{attributes.Id}-{n}";
                    attributes.Id = id;
                    var html = InlineHtml(heading);
                    var text = PlainText(html);
                    Headings.Add(new Heading(heading.Level, id, html, text));
                    Sections.Add(heading.Level == 1 ? new Section(null, null) : new Section(text, id));
                }
                else if (block is FencedCodeBlock or CodeBlock) Sections[^1].Code.Append(' ').Append(((LeafBlock)block).Lines.ToString());
                else
                {
                    var html = Render(block);
                    Sections[^1].Prose.Append(' ').Append(PlainText(html));
                    Sections[^1].Excerpt.Append(' ').Append(PlainText(DisplayMath().Replace(html, " "), keepMath: true));
                }
            }
            return Links(Render(document));
        }

        public void Code(string source) => Sections[^1].Code.Append(' ').Append(source);

        /// <summary>
        /// Links to other pages' sources (<c>cells.md</c>, <c>../notebooks/03-….ipynb</c>) go to their pages; links to other
        /// files of the repository, which the site does not carry, go to them in the checkout.
        /// </summary>
        private string Links(string html) => RelativeHref().Replace(html, m =>
        {
            var (target, fragment) = (m.Groups["path"].Value, m.Groups["fragment"].Value);
            var repoPath = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(root, folder, WebUtility.UrlDecode(target)))).Replace('\\', '/');
            if (repoPath.StartsWith("..", StringComparison.Ordinal)) return m.Value;
            var dir = Path.GetDirectoryName(repoPath)?.Replace('\\', '/');
            var ext = Path.GetExtension(repoPath);
            bool isPage = (dir == "docs" && ext == ".md") || (dir == "notebooks" && ext == ".ipynb");
            if (isPage && File.Exists(Path.Combine(root, repoPath)))
                return $"href=\"{Path.ChangeExtension(target, ".html")}{fragment}\"";
            if (File.Exists(Path.Combine(root, repoPath)) || Directory.Exists(Path.Combine(root, repoPath)))
                return $"href=\"{fileLink(folder, repoPath)}{fragment}\"";
            return m.Value;
        });
    }

    private sealed record Heading(int Level, string Id, string Html, string Text);

    private sealed class Section(string? heading, string? anchor)
    {
        public string? Heading { get; } = heading;
        public string? Anchor { get; } = anchor;
        public StringBuilder Prose { get; } = new();
        public StringBuilder Excerpt { get; } = new();
        public StringBuilder Code { get; } = new();
    }

    private static string Render(MarkdownObject markdown) => Html(r => r.Render(markdown));

    private static string InlineHtml(LeafBlock block) => Html(r => r.WriteLeafInline(block));

    /// <summary>HTML written by a renderer set up with the site's pipeline.</summary>
    private static string Html(Action<HtmlRenderer> write)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        write(renderer);
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>Inline Markdown (a title) as HTML: <c>*Moby Dick*</c> becomes <c>&lt;em&gt;Moby Dick&lt;/em&gt;</c>.</summary>
    internal static string InlineHtml(string markdown) =>
        Markdig.Markdown.Parse(markdown, Pipeline).OfType<LeafBlock>().FirstOrDefault() is { } leaf ? InlineHtml(leaf) : Enc(markdown);

    /// <summary>The text of some HTML: tags dropped, entities decoded, spaces collapsed, and math delimiters removed unless <paramref name="keepMath"/>.</summary>
    internal static string PlainText(string html, bool keepMath = false)
    {
        var text = WebUtility.HtmlDecode(Tag().Replace(html, m => m.Groups[1].Value is "" ? "" : " "));
        if (!keepMath) text = text.Replace("\\(", "").Replace("\\)", "").Replace("\\[", "").Replace("\\]", "");
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>The notebook's title and, if it lacks the number its file name starts with, the title numbered.</summary>
    private static (string Title, string? Numbered) NotebookTitle(Notebook notebook, string name)
    {
        var title = notebook.Cells.OfType<JsonObject>().Where(c => c["cell_type"]?.GetValue<string>() == "markdown")
            .Select(c => FirstHeading(Notebook.Source(c))).FirstOrDefault(h => h is not null) ?? name;
        var number = LeadingNumber().Match(name);
        if (!number.Success || title.StartsWith(number.Value + " ", StringComparison.Ordinal)) return (title, null);
        var numbered = $"{number.Value} · {title}";
        return (numbered, numbered);
    }

    private static string? FirstHeading(string markdown) =>
        markdown.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    [GeneratedRegex("href=\"(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)(?<path>[^\"#?]+)(?<fragment>#[^\"]*)?\"")]
    private static partial Regex RelativeHref();

    [GeneratedRegex(@"^[ \t]*# .*$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    [GeneratedRegex(@"^\d+")]
    private static partial Regex LeadingNumber();

    /// <summary>A tag; group 1 is the name of a block-level one, which separates words.</summary>
    [GeneratedRegex(@"</?(?:(p|li|br|div|h[1-6]|td|th|tr|pre|ul|ol|table|blockquote)\b|[^>])[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Tag();

    [GeneratedRegex(@"<div class=""math"">.*?</div>", RegexOptions.Singleline)]
    private static partial Regex DisplayMath();

    [GeneratedRegex(@"\\[a-zA-Z]+")]
    private static partial Regex TexCommand();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[\p{L}\p{N}_]+")]
    private static partial Regex Word();

    /// <summary>The parts of a CamelCase name (GradCheck: grad, check; LSTMCell: lstm, cell; LSTMs stays whole).</summary>
    [GeneratedRegex(@"\p{Lu}+s(?!\p{Ll})|\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+")]
    private static partial Regex CamelPart();
}
