using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;

namespace AutoGradRnn.Notebooks;

/// <summary>
/// Builds the static documentation site: an index, one page per notebook (with its committed outputs) and one
/// per <c>docs/*.md</c>. Math is rendered by KaTeX and charts by plotly.js, both copied into the site, so it
/// works offline from <c>file://</c>.
/// </summary>
public static partial class SiteBuilder
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseMathematics().UseAdvancedExtensions().Build();

    /// <summary>A page of the site: its path relative to the site root and its title.</summary>
    public sealed record Page(string Path, string Title);

    /// <summary>
    /// Writes the site for the repository at <paramref name="root"/> into <paramref name="output"/>, copying
    /// plotly.js and KaTeX from <paramref name="nodeModules"/> (an npm <c>node_modules</c> folder holding
    /// <c>plotly.js-dist-min</c> and <c>katex</c>). Returns the pages written.
    /// </summary>
    public static IReadOnlyList<Page> Build(string root, string output, string nodeModules)
    {
        var plotly = Path.Combine(nodeModules, "plotly.js-dist-min", "plotly.min.js");
        var katex = Path.Combine(nodeModules, "katex", "dist");
        if (!File.Exists(plotly)) throw new FileNotFoundException($"site: plotly.js not found at '{plotly}' (npm install plotly.js-dist-min)", plotly);
        if (!Directory.Exists(katex)) throw new DirectoryNotFoundException($"site: KaTeX not found at '{katex}' (npm install katex)");
        Directory.CreateDirectory(Path.Combine(output, "assets"));
        File.Copy(plotly, Path.Combine(output, "assets", "plotly.min.js"), overwrite: true);
        CopyDirectory(katex, Path.Combine(output, "assets", "katex"));

        var pages = new List<Page>();
        foreach (var nb in Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            var notebook = Notebook.Load(nb);
            var title = NotebookTitle(notebook, Path.GetFileNameWithoutExtension(nb));
            var page = new Page($"notebooks/{Path.GetFileNameWithoutExtension(nb)}.html", title);
            Write(output, page, RenderNotebook(notebook), depth: 1);
            pages.Add(page);
        }
        foreach (var md in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(md);
            var title = FirstHeading(text) ?? Path.GetFileNameWithoutExtension(md);
            var page = new Page($"docs/{Path.GetFileNameWithoutExtension(md)}.html", title);
            Write(output, page, Markdig.Markdown.ToHtml(text, Markdown), depth: 1);
            pages.Add(page);
        }
        var index = new StringBuilder("<h1>AutoGradRnn</h1><p>Colah's <em>Understanding LSTM Networks</em>, runnable equation by equation.</p>");
        index.Append("<h2>Notebooks</h2><ul>");
        foreach (var p in pages.Where(p => p.Path.StartsWith("notebooks/", StringComparison.Ordinal))) index.Append($"<li><a href=\"{p.Path}\">{Enc(p.Title)}</a></li>");
        index.Append("</ul><h2>Documentation</h2><ul>");
        foreach (var p in pages.Where(p => p.Path.StartsWith("docs/", StringComparison.Ordinal))) index.Append($"<li><a href=\"{p.Path}\">{Enc(p.Title)}</a></li>");
        index.Append("</ul>");
        var home = new Page("index.html", "AutoGradRnn");
        Write(output, home, index.ToString(), depth: 0);
        pages.Insert(0, home);
        return pages;
    }

    private static string RenderNotebook(Notebook notebook)
    {
        var html = new StringBuilder();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = (JsonObject)notebook.Cells[i]!;
            var source = Notebook.Source(cell);
            switch (cell["cell_type"]?.GetValue<string>())
            {
                case "markdown":
                    html.Append("<div class=\"cell markdown\">").Append(Markdig.Markdown.ToHtml(source, Markdown)).Append("</div>");
                    break;
                case "code":
                    var language = notebook.KernelOf(cell);
                    html.Append($"<div class=\"cell code\"><div class=\"prompt\">[{cell["execution_count"]?.ToString() ?? " "}]</div>");
                    html.Append($"<pre class=\"source\"><code class=\"language-{language}\">{Enc(source)}</code></pre>");
                    foreach (var output in cell["outputs"] as JsonArray ?? []) html.Append(RenderOutput((JsonObject)output!));
                    html.Append("</div>");
                    break;
            }
        }
        return html.ToString();
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

    private static void Write(string output, Page page, string body, int depth)
    {
        var up = string.Concat(Enumerable.Repeat("../", depth));
        body = LocalLink().Replace(body, m => m.Groups[1].Value + Path.ChangeExtension(m.Groups[2].Value, ".html") + m.Groups[3].Value);
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>{{Enc(page.Title)}} — AutoGradRnn</title>
            <link rel="stylesheet" href="{{up}}assets/katex/katex.min.css"/>
            <script src="{{up}}assets/katex/katex.min.js"></script>
            <script src="{{up}}assets/katex/contrib/auto-render.min.js"></script>
            <script src="{{up}}assets/plotly.min.js"></script>
            <style>
            body { font-family: -apple-system, "Segoe UI", "Liberation Sans", sans-serif; max-width: 960px; margin: 0 auto; padding: 1rem 1.5rem 4rem; line-height: 1.5; color: #222; }
            nav { border-bottom: 1px solid #ddd; padding-bottom: .5rem; margin-bottom: 1rem; }
            pre { background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; font-size: 88%; }
            .cell.code { margin: 1rem 0; }
            .prompt { color: #888; font-size: 80%; font-family: monospace; }
            .output.error { background: #fde8e8; color: #900; }
            .output.stream, .output.text { background: #fff; border-left: 3px solid #ddd; }
            table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 2px 8px; }
            .output.html { overflow-x: auto; }
            </style>
            </head>
            <body>
            <nav><a href="{{up}}index.html">AutoGradRnn</a> · {{Enc(page.Title)}}</nav>
            <main>
            {{body}}
            </main>
            <script>
            document.addEventListener("DOMContentLoaded", function () {
              renderMathInElement(document.body, {
                delimiters: [ {left: "$$", right: "$$", display: true}, {left: "\\[", right: "\\]", display: true},
                              {left: "\\(", right: "\\)", display: false}, {left: "$", right: "$", display: false} ],
                ignoredClasses: ["source", "output"], throwOnError: false });
              window.autogradrnnMathDone = true;
            });
            </script>
            </body>
            </html>
            """;
        var path = Path.Combine(output, page.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, html, new UTF8Encoding(false));
    }

    [GeneratedRegex("(href=\")(?!https?:|#)([^\"#]+\\.(?:md|ipynb))(#[^\"]*)?(?=\")")]
    private static partial Regex LocalLink();

    private static string NotebookTitle(Notebook notebook, string fallback) =>
        notebook.Cells.OfType<JsonObject>().Where(c => c["cell_type"]?.GetValue<string>() == "markdown")
            .Select(c => FirstHeading(Notebook.Source(c))).FirstOrDefault(h => h is not null) ?? fallback;

    private static string? FirstHeading(string markdown) =>
        markdown.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
