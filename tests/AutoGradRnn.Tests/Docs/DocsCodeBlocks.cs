using System.Text.RegularExpressions;

namespace AutoGradRnn.Tests.Docs;

/// <summary>A fenced C# or F# block of README.md or docs/*.md.</summary>
/// <param name="File">The markdown file, relative to the repository root (<c>docs/fsharp.md</c>).</param>
/// <param name="Line">The 1-based line of the opening fence; the code's first line is <c>Line + 1</c>.</param>
/// <param name="FSharp">An F# block (else C#).</param>
/// <param name="Code">The code, with the fence's indentation removed (a block inside a list item).</param>
/// <param name="CompileOnly">Marked <c>&lt;!-- compile-only … --&gt;</c> on the line before the fence: compiled, not run.</param>
/// <param name="AfterPrevious">Marked <c>&lt;!-- after-previous … --&gt;</c>: runs in the working directory of the file's previous
/// block, after it (it reads what that block writes).</param>
public sealed record DocsCodeBlock(string File, int Line, bool FSharp, string Code, bool CompileOnly, bool AfterPrevious = false)
{
    /// <summary>A notebook cell: C# whose first lines are <c>#r</c>/<c>#i</c> directives (not valid in a Program.cs).</summary>
    public bool IsNotebookCell => !FSharp && Code.Split('\n').Any(l => l.StartsWith("#r ") || l.StartsWith("#i "));

    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line} ({(FSharp ? "F#" : "C#")})";
}

/// <summary>Finds every ```csharp / ```cs / ```fsharp / ```fs block of README.md and docs/*.md.</summary>
public static partial class DocsCodeBlocks
{
    /// <summary>The markdown files whose code must compile and run: the README and every page under docs/.</summary>
    public static IEnumerable<string> Files(string root) =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [GeneratedRegex(@"^(?<indent>[ \t]*)(?<fence>```+|~~~+)\s*(?<lang>[^\s`]*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--\s*compile-only\b")]
    private static partial Regex CompileOnlyMarker();

    [GeneratedRegex(@"^\s*<!--\s*after-previous\b")]
    private static partial Regex AfterPreviousMarker();

    /// <summary>The blocks of one markdown text, in order.</summary>
    public static IReadOnlyList<DocsCodeBlock> Parse(string file, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<DocsCodeBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success) continue;
            string indent = open.Groups["indent"].Value, fence = open.Groups["fence"].Value, lang = open.Groups["lang"].Value.ToLowerInvariant();
            int start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !(lines[i].TrimStart().StartsWith(fence) && lines[i].Trim().Trim(fence[0]).Length == 0); i++)
                body.Add(lines[i].StartsWith(indent) ? lines[i][indent.Length..] : lines[i].TrimStart());
            bool? fsharp = lang switch { "csharp" or "cs" or "c#" => false, "fsharp" or "fs" or "f#" => true, _ => null };
            if (fsharp is null) continue;
            int before = start - 1;
            while (before >= 0 && lines[before].Trim().Length == 0) before--;
            bool compileOnly = before >= 0 && CompileOnlyMarker().IsMatch(lines[before]);
            bool afterPrevious = before >= 0 && AfterPreviousMarker().IsMatch(lines[before]);
            blocks.Add(new DocsCodeBlock(file, start + 1, fsharp.Value, string.Join('\n', body), compileOnly, afterPrevious));
        }
        return blocks;
    }

    /// <summary>Every block of the repository's README.md and docs/*.md.</summary>
    public static IReadOnlyList<DocsCodeBlock> All(string root) =>
        Files(root).SelectMany(f => Parse(f, File.ReadAllText(Path.Combine(root, f)))).ToList();
}
