using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>
/// Builds the docs site from the committed notebooks and docs, then opens every page in real headless
/// Chromium (Debian's /usr/bin/chromium through Playwright). On every page: no console errors or failed requests,
/// every chart drawn by plotly.js with at least one trace, KaTeX rendered the math without errors, the navigation
/// (breadcrumbs, previous/next in reading order, a table of contents, every local link and anchor resolves),
/// highlighted code with copy buttons, long lines that scroll inside their block, and the search box. On the Cells
/// page every equation of docs/cells.md is rendered by KaTeX. A screenshot of each page is saved under
/// docs/_site/screenshots/ of the built site.
/// </summary>
[Collection("notebooks")]
public partial class SiteBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Every_page_renders_charts_math_navigation_code_and_search_without_console_errors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium fonts-liberation (tests/run.sh does this)");
        var site = Path.Combine(Repo.Root, "docs", "_site");   // generated, git-ignored: the screenshots end up in docs/_site/screenshots
        var pages = SiteBuilder.Build(Repo.Root, site, Repo.NodeModules);
        CheckReadingOrder(pages);
        Directory.CreateDirectory(Path.Combine(site, "screenshots"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var failures = new List<string>();
        for (int i = 0; i < pages.Count; i++)
        {
            var page = pages[i];
            await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 }, Permissions = ["clipboard-read", "clipboard-write"] });
            var tab = await context.NewPageAsync();
            var errors = new List<string>();
            tab.Console += (_, m) => { if (m.Type == "error") errors.Add("console: " + m.Text); };
            tab.PageError += (_, e) => errors.Add("page error: " + e);
            tab.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);
            await tab.GotoAsync(new Uri(Path.Combine(site, page.Path)).AbsoluteUri);
            await tab.WaitForFunctionAsync("() => window.autogradrnnMathDone === true && window.autogradrnnHighlightDone === true", null, new() { Timeout = 30000 });
            int charts = await tab.Locator("div.autogradrnn-chart").CountAsync();
            if (charts > 0)
                await tab.WaitForFunctionAsync($"() => (window.autogradrnnChartsDrawn || 0) >= {charts}", null, new() { Timeout = 60000 });
            int drawn = await tab.EvaluateAsync<int>("() => [...document.querySelectorAll('div.autogradrnn-chart')].filter(d => d.querySelector('svg.main-svg') && d.querySelectorAll('g.trace, .hm, g.heatmaplayer image').length > 0).length");
            int katex = await tab.Locator(".katex").CountAsync();
            int katexErrors = await tab.Locator(".katex-error").CountAsync();
            await tab.ScreenshotAsync(new() { Path = Path.Combine(site, "screenshots", page.Path.Replace('/', '_') + ".png"), FullPage = true });
            var problems = new List<string>();
            if (drawn != charts) problems.Add($"{drawn} of {charts} charts drawn with a trace");
            if (katexErrors > 0) problems.Add($"{katexErrors} KaTeX errors");
            if ((page.Path.StartsWith("notebooks/", StringComparison.Ordinal) || page.Path == "docs/cells.html") && katex == 0) problems.Add("no math rendered by KaTeX");

            await CheckNavigation(tab, site, pages, i, problems);
            await CheckTableOfContents(tab, problems);
            await CheckCode(tab, page, problems);
            await CheckScrolling(tab, problems);
            if (page.Path == "index.html") await CheckStartHere(tab, problems);
            if (page.Path == "docs/cells.html") await CheckCellsEquations(tab, problems);
            await CheckSearch(tab, site, page, problems, screenshot: page.Path == "index.html" ? Path.Combine(site, "screenshots", "search.png") : null);
            await CheckCopyButton(tab, problems);

            if (errors.Count > 0) problems.Add(string.Join("; ", errors));
            failures.AddRange(problems.Select(p => $"{page.Path}: {p}"));
            await tab.CloseAsync();
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The index, then the notebooks in their numbered order (all numbered, 09-fsharp too), then the docs.</summary>
    private static void CheckReadingOrder(IReadOnlyList<SiteBuilder.Page> pages)
    {
        Assert.Equal("index.html", pages[0].Path);
        var notebooks = pages.Skip(1).TakeWhile(p => p.Section == "Notebooks").ToList();
        Assert.Equal(Repo.Notebooks.Select(n => $"notebooks/{Path.GetFileNameWithoutExtension(n)}.html"), notebooks.Select(p => p.Path));
        foreach (var p in notebooks) Assert.Matches($"^{Path.GetFileName(p.Path)[..2]} · ", p.TitleText);
        var docs = pages.Skip(1 + notebooks.Count).ToList();
        Assert.All(docs, p => Assert.Equal("Documentation", p.Section));
        Assert.Equal(Directory.GetFiles(Path.Combine(Repo.Root, "docs"), "*.md").Length, docs.Count);
        Assert.All(pages, p => Assert.DoesNotContain("*", p.TitleText));
        Assert.Equal("07 · A character-level language model of <em>Moby Dick</em>", pages.Single(p => p.Path.Contains("07-char-rnn", StringComparison.Ordinal)).TitleHtml);
    }

    /// <summary>
    /// Breadcrumbs say where the page is (Home › Notebooks › its title), the window title is the page's title as text,
    /// previous/next go to the neighbours in reading order, and every local link (navigation, contents, start here, the
    /// page's own links) goes to a file of the site and, with a #fragment, to an element with that id.
    /// </summary>
    private static async Task CheckNavigation(IPage tab, string site, IReadOnlyList<SiteBuilder.Page> pages, int i, List<string> problems)
    {
        var page = pages[i];
        var crumbs = await tab.Locator("nav.breadcrumbs li").AllInnerTextsAsync();
        string[] expected = page.Path == "index.html" ? ["Home"] : ["Home", page.Section, page.TitleText];
        if (!crumbs.Select(c => c.Trim()).SequenceEqual(expected)) problems.Add($"breadcrumbs are [{string.Join(" › ", crumbs)}], expected [{string.Join(" › ", expected)}]");
        var title = await tab.TitleAsync();
        if (title != (page.Path == "index.html" ? "AutoGradRnn" : $"{page.TitleText} — AutoGradRnn")) problems.Add($"window title '{title}'");
        var text = await tab.Locator("body").InnerTextAsync();
        if (text.Contains("*Moby Dick*", StringComparison.Ordinal)) problems.Add("a title is shown as literal Markdown (*Moby Dick*)");

        foreach (var (rel, neighbour) in new[] { ("prev", i > 0 ? pages[i - 1] : null), ("next", i + 1 < pages.Count ? pages[i + 1] : null) })
        {
            var links = await tab.EvaluateAsync<string[]>($"() => [...document.querySelectorAll('nav.pager a[rel={rel}]')].map(a => a.href)");
            if (neighbour is null && links.Length > 0) problems.Add($"a {rel} link on the {(rel == "prev" ? "first" : "last")} page");
            if (neighbour is not null && (links.Length != 1 || new Uri(links[0]).LocalPath != Path.Combine(site, neighbour.Path)))
                problems.Add($"{rel} link [{string.Join(", ", links)}], expected {neighbour.Path}");
        }

        var hrefs = await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('a[href]')].map(a => a.href)");
        problems.AddRange(BrokenLinks(site, hrefs));
    }

    /// <summary>The local links among <paramref name="hrefs"/> whose file or #fragment is missing from the built site (or, for repository files, from the checkout).</summary>
    private static IEnumerable<string> BrokenLinks(string site, IEnumerable<string> hrefs)
    {
        foreach (var href in hrefs.Distinct())
        {
            var uri = new Uri(href);
            if (!uri.IsFile) continue;
            var file = Uri.UnescapeDataString(uri.LocalPath);
            if (!file.StartsWith(site, StringComparison.Ordinal))
            {
                // Repository files the site does not carry are linked in the checkout it was built from.
                if (!file.StartsWith(Repo.Root, StringComparison.Ordinal)) yield return $"link {href} leaves the site and the repository";
                else if (!File.Exists(file) && !Directory.Exists(file)) yield return $"link {href}: no such repository file";
                continue;
            }
            if (!File.Exists(file)) { yield return $"link {href}: no such file"; continue; }
            var fragment = Uri.UnescapeDataString(uri.Fragment.TrimStart('#'));
            if (fragment.Length > 0 && !File.ReadAllText(file).Contains($"id=\"{fragment}\"", StringComparison.Ordinal))
                yield return $"link {href}: no element with id '{fragment}'";
        }
    }

    /// <summary>A page with two or more section headings has a table of contents with one link per heading, in order.</summary>
    private static async Task CheckTableOfContents(IPage tab, List<string> problems)
    {
        var headings = await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('main h2[id], main h3[id]')].map(h => h.id)");
        var toc = await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('aside.toc a')].map(a => a.getAttribute('href'))");
        if (headings.Length >= 2 && !toc.SequenceEqual(headings.Select(h => "#" + h)))
            problems.Add($"table of contents [{string.Join(", ", toc)}] does not list the headings [{string.Join(", ", headings)}]");
        if (headings.Length < 2 && toc.Length > 0) problems.Add("a table of contents on a page with fewer than two headings");
    }

    /// <summary>
    /// Every code block is highlighted by highlight.js and has a copy button; C# and F# code has highlighted tokens.
    /// </summary>
    private static async Task CheckCode(IPage tab, SiteBuilder.Page page, List<string> problems)
    {
        int blocks = await tab.Locator("pre > code").CountAsync();
        int highlighted = await tab.Locator("pre > code.hljs").CountAsync();
        int buttons = await tab.Locator(".codeblock > button.copy").CountAsync();
        if (highlighted != blocks) problems.Add($"{highlighted} of {blocks} code blocks highlighted");
        if (buttons != blocks) problems.Add($"{buttons} copy buttons for {blocks} code blocks");
        if (page.Path.StartsWith("notebooks/", StringComparison.Ordinal) && blocks == 0) problems.Add("no code");
        foreach (var language in new[] { "csharp", "fsharp" })
        {
            int code = await tab.Locator($"pre > code.language-{language}").CountAsync();
            int tokens = await tab.Locator($"pre > code.language-{language} span[class^='hljs-']").CountAsync();
            if (code > 0 && tokens == 0) problems.Add($"{code} {language} blocks and no highlighted token");
        }
        if (page.Path.Contains("09-fsharp", StringComparison.Ordinal) && await tab.Locator("pre > code.language-fsharp .hljs-keyword").CountAsync() == 0)
            problems.Add("the F# notebook's code has no highlighted F# keyword");
    }

    /// <summary>Nothing widens the page: long code lines, wide tables and equations scroll inside their own box.</summary>
    private static async Task CheckScrolling(IPage tab, List<string> problems)
    {
        var wide = await tab.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (wide > 1) problems.Add($"the page is {wide}px wider than the window");
        var clipped = await tab.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('main pre, main .katex-display, main .table-scroll')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))
            """);
        foreach (var c in clipped) problems.Add("clipped instead of scrolling: " + c);
    }

    /// <summary>The index's start-here paragraph maps each of the essay's sections to its notebook.</summary>
    private static async Task CheckStartHere(IPage tab, List<string> problems)
    {
        var start = tab.Locator("#start-here + p");
        if (await start.CountAsync() != 1) { problems.Add("no 'Start here' paragraph"); return; }
        var text = await start.InnerTextAsync();
        foreach (var section in new[] { "Recurrent Neural Networks", "The Problem of Long-Term Dependencies", "LSTM Networks", "Step-by-Step LSTM Walk Through", "Variants on Long Short Term Memory", "Conclusion" })
            if (!text.Contains(section, StringComparison.Ordinal)) problems.Add($"'Start here' does not name the essay's section '{section}'");
        var links = await start.EvaluateAsync<string[]>("p => [...p.querySelectorAll('a')].map(a => a.getAttribute('href'))");
        foreach (var nb in new[] { "01-recurrent-networks", "02-long-term-dependencies", "03-lstm-step-by-step", "04-variants" })
            if (!links.Any(l => l.StartsWith($"notebooks/{nb}.html", StringComparison.Ordinal))) problems.Add($"'Start here' does not link notebook {nb}");
    }

    /// <summary>
    /// Every equation of docs/cells.md ($…$ and $$…$$) is on the Cells page as KaTeX's TeX annotation, unchanged;
    /// no TeX is left as text outside KaTeX and Markdig made no sub- or superscripts.
    /// </summary>
    private static async Task CheckCellsEquations(IPage tab, List<string> problems)
    {
        static string Norm(string tex) => Regex.Replace(tex, @"\s+", " ").Trim();
        var markdown = File.ReadAllText(Path.Combine(Repo.Root, "docs", "cells.md"));
        var display = DisplayMath().Matches(markdown).Select(m => Norm(m.Groups[1].Value)).ToList();
        var inline = InlineMath().Matches(DisplayMath().Replace(markdown, "")).Select(m => Norm(m.Groups[1].Value)).ToList();
        var equations = display.Concat(inline).Distinct().ToList();
        if (display.Count < 5 || inline.Count < 50) problems.Add($"docs/cells.md has only {display.Count} display and {inline.Count} inline equations");
        var rendered = (await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.katex annotation[encoding=\"application/x-tex\"]')].map(a => a.textContent)"))
            .Select(Norm).ToHashSet(StringComparer.Ordinal);
        foreach (var tex in equations.Where(e => !rendered.Contains(e))) problems.Add($"equation not rendered: {tex}");
        foreach (var part in new[] { "h_{t-1}", "\\tilde{C}_t", "f_t * C_{t-1}", "C_t = f_t * C_{t-1} + i_t * \\tilde{C}_t" })
            if (!rendered.Any(r => r.Contains(part, StringComparison.Ordinal))) problems.Add($"no rendered equation contains {part}");
        var leftover = await tab.EvaluateAsync<string>("""
            () => { const main = document.querySelector('main').cloneNode(true);
                    main.querySelectorAll('.katex, pre, code').forEach(e => e.remove());
                    const m = main.textContent.match(/.{0,30}(?:[_^]\{|\\(?:tilde|sigma|odot|tanh|cdot)\b|\\\(|\$).{0,30}/);
                    return m ? m[0] : ''; }
            """);
        if (leftover.Length > 0) problems.Add($"TeX left as text outside KaTeX: '{leftover}'");
        int subSup = await tab.Locator("main sub, main sup").CountAsync();
        if (subSup > 0) problems.Add($"{subSup} <sub>/<sup> elements: Markdig mangled an equation");
    }

    /// <summary>
    /// The search box: 'peephole' lists the Cells page and the variants notebook, 'GradCheck' the gradient-checking
    /// notebook, each result linking to a page (and a section) of the site; Escape closes the list.
    /// </summary>
    private static async Task CheckSearch(IPage tab, string site, SiteBuilder.Page page, List<string> problems, string? screenshot)
    {
        var searches = new (string Query, string[] Expected)[]
        {
            ("peephole", ["docs/cells.html", "notebooks/04-variants.html"]),
            ("GradCheck", ["notebooks/06-gradient-checking.html"]),
        };
        foreach (var (query, expected) in searches)
        {
            await tab.Locator("#search").FillAsync(query);
            try
            {
                await tab.Locator("#search-results a.result-page").First.WaitForAsync(new() { Timeout = 5000 });
            }
            catch (TimeoutException)
            {
                problems.Add($"search '{query}' showed no results");
                continue;
            }
            var results = await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#search-results a.result-page')].map(a => a.href)");
            var found = results.Select(r => Path.GetRelativePath(site, new Uri(r).LocalPath).Replace('\\', '/')).ToList();
            foreach (var e in expected.Where(e => !found.Contains(e))) problems.Add($"search '{query}' does not list {e} (lists {string.Join(", ", found)})");
            if (query == "GradCheck" && found.FirstOrDefault() != "notebooks/06-gradient-checking.html") problems.Add($"search 'GradCheck' lists {found.FirstOrDefault()} first");
            var all = await tab.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#search-results a')].map(a => a.href)");
            problems.AddRange(BrokenLinks(site, all).Select(b => $"search '{query}': {b}"));
            if (screenshot is not null && query == "peephole") await tab.ScreenshotAsync(new() { Path = screenshot });
        }
        await tab.Locator("#search").PressAsync("Escape");
        if (await tab.Locator("#search-results").IsVisibleAsync()) problems.Add("Escape did not close the search results");
    }

    /// <summary>The first copy button puts its block's code on the clipboard and says so.</summary>
    private static async Task CheckCopyButton(IPage tab, List<string> problems)
    {
        var button = tab.Locator(".codeblock > button.copy").First;
        if (await tab.Locator(".codeblock > button.copy").CountAsync() == 0) return;
        await button.ScrollIntoViewIfNeededAsync();
        await button.ClickAsync();
        try
        {
            await tab.WaitForFunctionAsync("b => b.textContent === 'Copied'", await button.ElementHandleAsync(), new() { Timeout = 5000 });
        }
        catch (TimeoutException)
        {
            problems.Add($"the copy button says '{await button.TextContentAsync()}'");
            return;
        }
        var code = await tab.Locator(".codeblock > pre > code").First.TextContentAsync();
        var clipboard = await tab.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        if (clipboard != code) problems.Add($"the copy button copied '{clipboard[..Math.Min(60, clipboard.Length)]}', not its code '{code?[..Math.Min(60, code.Length)]}'");
    }

    [GeneratedRegex(@"^\$\$\n(.*?)\n\$\$$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex DisplayMath();

    [GeneratedRegex(@"(?<![\\$])\$([^$\n]+?)\$")]
    private static partial Regex InlineMath();

    /// <summary>
    /// The two interactive figures of notebook 03 work in the built page: dragging the forget-gate slider redraws the
    /// curve (the drawn SVG path changes), and the gate animation's play button and slider replace the drawn heatmap.
    /// </summary>
    [Fact]
    public async Task The_slider_and_the_animation_change_the_drawn_data()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium fonts-liberation (tests/run.sh does this)");
        var site = Path.Combine(Path.GetTempPath(), "autogradrnn-site-" + Guid.NewGuid().ToString("N"));
        try
        {
            var pages = SiteBuilder.Build(Repo.Root, site, Repo.NodeModules);
            var page = pages.Single(p => p.Path.Contains("03-lstm-step-by-step", StringComparison.Ordinal));
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium, Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            await tab.GotoAsync(new Uri(Path.Combine(site, page.Path)).AbsoluteUri);
            int charts = await tab.Locator("div.autogradrnn-chart").CountAsync();
            await tab.WaitForFunctionAsync($"() => (window.autogradrnnChartsDrawn || 0) >= {charts}", null, new() { Timeout = 60000 });

            // The decay figure: a restyle slider and no play button. Its rail is clicked near the far end.
            var decay = tab.Locator("div.autogradrnn-chart").Filter(new() { Has = tab.Locator("g.slider-container") })
                .Filter(new() { HasNot = tab.Locator("g.updatemenu-container") });
            Assert.Equal(1, await decay.CountAsync());
            const string visiblePath = "d => [...d.querySelectorAll('g.trace.scatter')].filter(t => getComputedStyle(t).opacity !== '0' && t.style.visibility !== 'hidden').map(t => t.querySelector('path.js-line')?.getAttribute('d') ?? '').join('|')";
            var before = await decay.EvaluateAsync<string>(visiblePath);
            var rail = decay.Locator("rect.slider-rail-touch-rect");
            await rail.ScrollIntoViewIfNeededAsync();
            var box = (await rail.BoundingBoxAsync())!;
            await tab.Mouse.ClickAsync(box.X + box.Width * 0.97f, box.Y + box.Height / 2);
            await tab.WaitForTimeoutAsync(500);
            var after = await decay.EvaluateAsync<string>(visiblePath);
            Assert.False(string.IsNullOrEmpty(before), "the decay figure drew no visible curve");
            Assert.NotEqual(before, after);

            // The animation: its play button runs the frames, which replace the drawn heatmap image.
            var animation = tab.Locator("div.autogradrnn-chart").Filter(new() { Has = tab.Locator("g.updatemenu-container") });
            Assert.Equal(1, await animation.CountAsync());
            Assert.True(await animation.EvaluateAsync<int>("d => d._transitionData._frames.length") >= 2, "the animation has no frames");
            const string image = "d => d.querySelector('g.heatmaplayer image')?.getAttribute('href') ?? ''";
            var first = await animation.EvaluateAsync<string>(image);
            await animation.ScrollIntoViewIfNeededAsync();
            await animation.Locator("g.updatemenu-button").First.ClickAsync();
            Assert.False(string.IsNullOrEmpty(first), "the animation drew no heatmap");
            await tab.WaitForFunctionAsync("([d, first]) => (d.querySelector('g.heatmaplayer image')?.getAttribute('href') ?? '') !== first",
                new object[] { await animation.ElementHandleAsync(), first }, new() { Timeout = 20000 });
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }
}
