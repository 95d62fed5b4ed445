using Microsoft.Playwright;

namespace AutoGradRnn.Notebooks.Tests;

/// <summary>
/// Builds the docs site from the committed notebooks and docs, then opens every page in real headless
/// Chromium (Debian's /usr/bin/chromium through Playwright): no console errors, every chart drawn by
/// plotly.js with at least one trace, KaTeX rendered the math. A screenshot of each page is saved under
/// docs/_site/screenshots/ of the built site.
/// </summary>
[Collection("notebooks")]
public class SiteBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Every_page_renders_charts_and_math_without_console_errors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium fonts-liberation (tests/run.sh does this)");
        var site = Path.Combine(Repo.Root, "docs", "_site");   // generated, git-ignored: the screenshots end up in docs/_site/screenshots
        var pages = SiteBuilder.Build(Repo.Root, site, Repo.NodeModules);
        Assert.Contains(pages, p => p.Path.StartsWith("notebooks/", StringComparison.Ordinal));
        Assert.Contains(pages, p => p.Path.StartsWith("docs/", StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(site, "screenshots"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var failures = new List<string>();
        foreach (var page in pages)
        {
            var tab = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            var errors = new List<string>();
            tab.Console += (_, m) => { if (m.Type == "error") errors.Add("console: " + m.Text); };
            tab.PageError += (_, e) => errors.Add("page error: " + e);
            tab.RequestFailed += (_, r) => errors.Add("request failed: " + r.Url);
            await tab.GotoAsync(new Uri(Path.Combine(site, page.Path)).AbsoluteUri);
            await tab.WaitForFunctionAsync("() => window.autogradrnnMathDone === true", null, new() { Timeout = 30000 });
            int charts = await tab.Locator("div.autogradrnn-chart").CountAsync();
            if (charts > 0)
                await tab.WaitForFunctionAsync($"() => (window.autogradrnnChartsDrawn || 0) >= {charts}", null, new() { Timeout = 60000 });
            int drawn = await tab.EvaluateAsync<int>("() => [...document.querySelectorAll('div.autogradrnn-chart')].filter(d => d.querySelector('svg.main-svg') && d.querySelectorAll('g.trace, .hm, g.heatmaplayer image').length > 0).length");
            int katex = await tab.Locator(".katex").CountAsync();
            int katexErrors = await tab.Locator(".katex-error").CountAsync();
            await tab.ScreenshotAsync(new() { Path = Path.Combine(site, "screenshots", page.Path.Replace('/', '_') + ".png"), FullPage = true });
            if (errors.Count > 0) failures.Add($"{page.Path}: {string.Join("; ", errors)}");
            if (drawn != charts) failures.Add($"{page.Path}: {drawn} of {charts} charts drawn with a trace");
            if (katexErrors > 0) failures.Add($"{page.Path}: {katexErrors} KaTeX errors");
            if (page.Path.StartsWith("notebooks/", StringComparison.Ordinal) && katex == 0) failures.Add($"{page.Path}: no math rendered by KaTeX");
            await tab.CloseAsync();
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

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
