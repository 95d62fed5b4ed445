using System.Reflection;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.FSharp.Core;
using AutoGradRnn.TestSupport;

namespace AutoGradRnn.Tests.Docs;

/// <summary>Docs blocks run one at a time: each sets the process's working directory to a folder of its own.</summary>
[CollectionDefinition(nameof(DocsCodeBlockTests), DisableParallelization = true)]
public sealed class DocsCodeBlockCollection;

/// <summary>
/// Every C# and F# block of README.md and docs/*.md compiles and runs, verbatim, against the library built with
/// these tests, in process:
/// <list type="bullet">
/// <item>C# is a <c>Program.cs</c> of a console project (top-level statements, the SDK's implicit usings), compiled by
/// Roslyn and its entry point run;</item>
/// <item>C# starting with <c>#r</c>/<c>#i</c> is a notebook cell: it runs as a C# script, without those lines (the test
/// references the library, AutoGradRnn.Display and their dependencies itself; a <c>nuget:</c> reference cannot
/// resolve offline);</item>
/// <item>F# is an F# script, evaluated by a fresh fsi session (FSharp.Compiler.Service) with the same references.</item>
/// </list>
/// A block marked <c>&lt;!-- compile-only: why --&gt;</c> on the line before its fence is compiled but not run. Each block
/// runs in an empty temporary working directory (blocks write <c>loss.html</c>, checkpoints…); one marked
/// <c>&lt;!-- after-previous: why --&gt;</c> runs after the file's previous block, in its directory. A failure names the
/// file, the line of the block's fence, and the compiler's errors with their lines in the markdown file.
/// </summary>
[Collection(nameof(DocsCodeBlockTests))]
public class DocsCodeBlockTests
{
    private static readonly IReadOnlyList<DocsCodeBlock> Blocks = DocsCodeBlocks.All(RepoRoot.Path);

    /// <summary>One test case per block, named by file and fence line.</summary>
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var b in Blocks) data.Add(b.File, b.Line);
        return data;
    }

    [Fact]
    public void The_docs_have_csharp_and_fsharp_blocks_and_few_are_compile_only()
    {
        Assert.Contains(Blocks, b => b.FSharp);
        Assert.Contains(Blocks, b => !b.FSharp && !b.IsNotebookCell);
        Assert.Contains(Blocks, b => b.File == "README.md");
        Assert.True(Blocks.Count(b => b.CompileOnly) * 5 <= Blocks.Count, "at most one block in five may be compile-only: " +
            string.Join(", ", Blocks.Where(b => b.CompileOnly)));
    }

    [Fact]
    public void The_extraction_finds_indented_blocks_markers_and_lines()
    {
        var md = "# t\n\n```csharp\nvar a = 1;\n```\n\n- item\n  <!-- compile-only: slow -->\n  ```fsharp\n  let x =\n      1\n  ```\n```bash\nls\n```\n<!-- after-previous: reads x -->\n```cs\nb();\n```\n";
        var blocks = DocsCodeBlocks.Parse("x.md", md);
        Assert.Equal(3, blocks.Count);
        Assert.Equal(new DocsCodeBlock("x.md", 3, false, "var a = 1;", false), blocks[0]);
        Assert.Equal(new DocsCodeBlock("x.md", 9, true, "let x =\n    1", true), blocks[1]);
        Assert.Equal(new DocsCodeBlock("x.md", 17, false, "b();", false, AfterPrevious: true), blocks[2]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Block_compiles_and_runs(string file, int line)
    {
        var block = Blocks.Single(b => b.File == file && b.Line == line);
        string previous = Environment.CurrentDirectory;
        using var dir = new TempDir();
        Environment.CurrentDirectory = dir.Path;
        try
        {
            foreach (var b in WithPredecessors(block)) RunBlock(b);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    private static void RunBlock(DocsCodeBlock block)
    {
        if (block.FSharp) RunFSharp(block);
        else if (block.IsNotebookCell) RunCSharpScript(block);
        else RunCSharpProgram(block);
    }

    /// <summary>The blocks to run in one directory: the chain of previous blocks an after-previous block needs, then the block.</summary>
    private static List<DocsCodeBlock> WithPredecessors(DocsCodeBlock block)
    {
        var chain = new List<DocsCodeBlock> { block };
        while (chain[0].AfterPrevious)
        {
            var inFile = Blocks.Where(b => b.File == chain[0].File).ToList();
            int i = inFile.IndexOf(chain[0]);
            Assert.True(i > 0, $"{chain[0]} is marked after-previous but is the first block of its file");
            Assert.False(inFile[i - 1].CompileOnly, $"{chain[0]} is marked after-previous but the block before it is compile-only");
            chain.Insert(0, inFile[i - 1]);
        }
        return chain;
    }

    [Fact]
    public void The_onnx_runtime_block_of_training_md_runs_after_the_export_and_uses_only_onnx_runtime()
    {
        var ort = Blocks.Single(b => b.File == "docs/training.md" && b.AfterPrevious && b.Code.Contains("new InferenceSession("));
        Assert.True(ort.AfterPrevious);
        Assert.DoesNotContain("AutoGradRnn", ort.Code);                       // only Microsoft.ML.OnnxRuntime
        Assert.Contains("CharModelOnnx.Export(", WithPredecessors(ort)[0].Code); // the block before writes the model it reads
    }

    /// <summary>The host's assemblies (the framework, the library, AutoGradRnn.Display and their dependencies), once per name.</summary>
    private static readonly Lazy<IReadOnlyList<string>> ReferencePaths = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Where(p => { try { AssemblyName.GetAssemblyName(p); return true; } catch (BadImageFormatException) { return false; } })
            .ToList();
    });

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References =
        new(() => ReferencePaths.Value.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList());

    /// <summary>What <c>&lt;ImplicitUsings&gt;enable&lt;/ImplicitUsings&gt;</c> gives a console project.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static void RunCSharpProgram(DocsCodeBlock block)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("DocsBlock" + block.Line,
            [CSharpSyntaxTree.ParseText(block.Code, parse, path: "Program.cs"), CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "GlobalUsings.g.cs")],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        FailOnErrors(block, emitted.Diagnostics);
        if (block.CompileOnly) return;
        var entry = Assembly.Load(image.ToArray()).EntryPoint!;
        Run(block, () =>
        {
            var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
            if (result is Task task) task.GetAwaiter().GetResult();
        });
    }

    private static void RunCSharpScript(DocsCodeBlock block)
    {
        // Blank out the reference directives rather than deleting them, so diagnostics keep their lines.
        var code = string.Join('\n', block.Code.Split('\n').Select(l => l.StartsWith("#r ") || l.StartsWith("#i ") ? "" : l));
        var script = CSharpScript.Create(code, ScriptOptions.Default.WithReferences(References.Value).WithLanguageVersion(LanguageVersion.Latest));
        FailOnErrors(block, script.Compile());
        if (!block.CompileOnly) Run(block, () => script.RunAsync().GetAwaiter().GetResult());
    }

    private static void FailOnErrors(DocsCodeBlock block, IEnumerable<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath != "GlobalUsings.g.cs").ToList();
        if (errors.Count > 0)
            Assert.Fail($"{block} does not compile:\n" + string.Join("\n", errors.Select(d =>
                $"  {block.File}:{block.Line + d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.Id}: {d.GetMessage()}")));
    }

    private static void Run(DocsCodeBlock block, Action run)
    {
        try { run(); }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            Assert.Fail($"{block} compiles but throws when run:\n{inner}");
        }
    }

    // fsi in process, as `dotnet fsi` runs a script (an assembly per interaction: with --multiemit-, as notebooks run,
    // fsi cannot emit a type generic over the element type, FS0192), with runtime references, and each referenced
    // assembly at the path this process loaded it from, so the block sees the same types.
    private static void RunFSharp(DocsCodeBlock block)
    {
        string[] args =
        [
            "fsi.exe", "--noninteractive", "--targetprofile:netcore", "--quiet", "/usesdkrefs-", "--nologo",
            .. new[] { "AutoGradRnn.dll", "AutoGradRnn.Display.dll", "Plotly.NET.dll", "Plotly.NET.CSharp.dll" }
                .Select(name => "-r:" + Path.Combine(AppContext.BaseDirectory, name)),
        ];
        using var output = new StringWriter();
        using var session = Shell.FsiEvaluationSession.Create(Shell.FsiEvaluationSession.GetDefaultConfiguration(), args, new StringReader(""), output, output, null, null);
        FSharpDiagnostic[] diagnostics;
        Exception? failure = null;
        if (block.CompileOnly)
        {
            var (_, check, _) = session.ParseAndCheckInteraction(block.Code, null).ToValueTuple();
            diagnostics = check.Diagnostics;
        }
        else
        {
            var (result, found) = session.EvalInteractionNonThrowing(block.Code, FSharpOption<CancellationToken>.None).ToValueTuple();
            diagnostics = found;
            if (result is FSharpChoice<FSharpOption<Shell.FsiValue>, Exception>.Choice2Of2 { Item: var e and not Shell.FsiCompilationException }) failure = e;
        }
        var errors = diagnostics.Where(d => d.Severity.IsError).ToList();
        if (errors.Count > 0)
            Assert.Fail($"{block} does not compile:\n" + string.Join("\n", errors.Select(d =>
                $"  {block.File}:{block.Line + d.StartLine}: FS{d.ErrorNumber:0000}: {d.Message}")));
        if (failure is not null) Assert.Fail($"{block} compiles but throws when run:\n{failure}\n{output}");
    }
}
