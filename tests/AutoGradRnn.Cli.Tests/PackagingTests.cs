using System.IO.Compression;
using System.Text.RegularExpressions;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// The README's "Use it in your own project" section: its code blocks in order (the test runs them as written) and
/// the packages its first block packs, once for every test in the "packages" collection. Consumers restore into a
/// package folder of their own (NUGET_PACKAGES), so a 0.1.0 cached from an earlier pack is never used instead.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    public const string Section = "## Use it in your own project";

    public string Dir { get; } = Directory.CreateTempSubdirectory("autogradrnn-packages-").FullName;

    /// <summary>The folder the README calls $PACKAGES.</summary>
    public string Feed => Path.Combine(Dir, "packages");

    /// <summary>The section's fenced code blocks, in order: (language, code).</summary>
    public IReadOnlyList<(string Language, string Code)> Blocks { get; }

    /// <summary>$PACKAGES, and a package folder of the test's own for every restore by a consumer.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["PACKAGES"] = Feed, ["NUGET_PACKAGES"] = Path.Combine(Dir, "nuget-packages"),
    };

    public PackedPackages()
    {
        var readme = File.ReadAllText(Path.Combine(Cli.Root, "README.md")).Replace("\r\n", "\n");
        int start = readme.IndexOf(Section + "\n", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"README.md has no '{Section}' section");
        int end = readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        Blocks = [.. Regex.Matches(section, @"^```(\w+)\n(.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))];

        // Block 1 packs, in the source tree. $PACKAGES is the test's folder rather than the README's ./packages; the
        // packing restore uses the machine's package folder, as the repository's builds do.
        var pack = Blocks[0].Code.Split('\n').Where(l => !l.StartsWith("export PACKAGES=", StringComparison.Ordinal));
        var (exit, output) = Bash(string.Join('\n', pack), Cli.Root, new Dictionary<string, string> { ["PACKAGES"] = Feed });
        if (exit != 0) throw new InvalidOperationException("the README's pack commands failed:\n" + output);
    }

    /// <summary>Runs <paramref name="script"/> with bash -euo pipefail in <paramref name="directory"/>; returns the exit code and stdout + stderr.</summary>
    public (int Exit, string Output) Bash(string script, string directory, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 900)
    {
        var file = Path.Combine(Dir, $"script-{Guid.NewGuid():N}.sh");
        File.WriteAllText(file, script);
        var (exit, stdout, stderr) = Cli.Process("bash", $"-euo pipefail \"{file}\"", directory, timeoutSeconds, environment ?? Environment);
        return (exit, $"$ {script.Trim()}\n{stdout}{stderr}");
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

[CollectionDefinition("packages")]
public sealed class PackagesCollection : ICollectionFixture<PackedPackages>;

/// <summary>What the packed packages hold and say about themselves.</summary>
[Collection("packages")]
public class PackagingTests(PackedPackages packages)
{
    private static readonly string[] Ids = ["AutoGradRnn", "AutoGradRnn.Applications", "AutoGradRnn.Display", "AutoGradRnn.Cli"];

    [Fact]
    public void The_readme_section_packs_the_library_the_charts_and_the_tool()
    {
        var files = Directory.GetFiles(packages.Feed).Select(Path.GetFileName).ToArray();
        Assert.Contains("AutoGradRnn.0.1.0.nupkg", files);
        Assert.Contains("AutoGradRnn.0.1.0.snupkg", files);
        Assert.Contains("AutoGradRnn.Applications.0.1.0.nupkg", files);
        Assert.Contains("AutoGradRnn.Display.0.1.0.nupkg", files);
        Assert.Contains("AutoGradRnn.Cli.0.1.0.nupkg", files);
        var library = Entries("AutoGradRnn");
        Assert.Contains("lib/net10.0/AutoGradRnn.dll", library);
        Assert.Contains("lib/net10.0/AutoGradRnn.xml", library);       // XML docs
        var display = Entries("AutoGradRnn.Display");
        Assert.Contains("lib/net10.0/AutoGradRnn.Display.dll", display);
        Assert.DoesNotContain(display, e => e.EndsWith("FSharp.Core.dll", StringComparison.Ordinal));   // a dependency, not a copy
        var nuspec = Text("AutoGradRnn.Display", "AutoGradRnn.Display.nuspec");
        Assert.Contains("<dependency id=\"AutoGradRnn\" version=\"0.1.0\"", nuspec);
        Assert.DoesNotContain("AutoGradRnn.Applications", nuspec);   // the charts take the applications' data, not their types
        Assert.Contains("<dependency id=\"Plotly.NET\"", nuspec);
    }

    /// <summary>
    /// No made-up addresses: there is no public repository, so no package names one. The README says where it comes
    /// from, and every relative link in it and in the documents shipped with it leads to a file in the package.
    /// </summary>
    [Fact]
    public void Metadata_names_no_repository_and_every_relative_link_in_the_packed_docs_resolves()
    {
        foreach (var id in Ids)
        {
            var nuspec = Text(id, id + ".nuspec");
            Assert.DoesNotContain("url=", nuspec);
            Assert.DoesNotContain("<projectUrl>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);

            var entries = Entries(id).ToHashSet();
            var readme = Text(id, "README.md");
            Assert.StartsWith($"> The README of the AutoGradRnn source tree, packed with {id} 0.1.0.", readme);
            Assert.Contains(PackedPackages.Section, readme);
            Assert.Contains("docs/cells.md", entries);
            Assert.Contains("docs/tour.fsx", entries);
            var broken = new List<string>();
            int links = 0;
            foreach (var page in entries.Where(e => e.EndsWith(".md", StringComparison.Ordinal)))
            {
                var folder = Path.GetDirectoryName(page)!.Replace('\\', '/');
                foreach (Match m in Regex.Matches(Text(id, page), @"\]\(([^)\s]+)\)"))
                {
                    var target = m.Groups[1].Value;
                    if (Regex.IsMatch(target, "^(https?:|mailto:|#)")) continue;
                    links++;
                    var file = target.Split('#')[0];
                    var resolved = Path.GetFullPath(Path.Combine("/pkg", folder, file))["/pkg/".Length..].Replace('\\', '/');
                    if (!entries.Contains(resolved)) broken.Add($"{page}: ({target})");
                }
            }
            Assert.True(links >= 10, $"{id}: only {links} relative links found");
            Assert.True(broken.Count == 0, $"{id}: links to files that are not in the package:\n" + string.Join("\n", broken));
        }
    }

    private string Nupkg(string id) => Path.Combine(packages.Feed, $"{id}.0.1.0.nupkg");

    private string[] Entries(string id)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    private string Text(string id, string entry)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        using var reader = new StreamReader(zip.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"{id}: no {entry}"));
        return reader.ReadToEnd();
    }
}
