using System.Reflection;
using FSharp.Compiler.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.FSharp.Core;

namespace AutoGradRnn.Notebooks;

/// <summary>What one cell produced: its final value (if any) or the failure, with a 1-based line where known.</summary>
public sealed record CellOutcome(bool HasValue, object? Value, Exception? Error, int ErrorLine, string ErrorKind);

/// <summary>A language engine that runs cells one after another, keeping variables between them.</summary>
public interface IKernel : IDisposable
{
    /// <summary>Runs one cell's code; <paramref name="cellFile"/> is the virtual file name used for #r paths and errors.</summary>
    CellOutcome Run(string code, string cellFile);
}

/// <summary>The object whose members C# cells see as globals: <c>display(value)</c>, as in Polyglot Notebooks.</summary>
public sealed class ScriptGlobals
{
    /// <summary>Shows <paramref name="value"/> as a display_data output of the current cell.</summary>
#pragma warning disable IDE1006 // the notebook name is lower-case by convention
    public void display(object? value) => DisplaySink.Show(value);
#pragma warning restore IDE1006
}

/// <summary>Where <c>display(...)</c> calls go while a cell runs (per execution context, so concurrent runs stay apart).</summary>
public static class DisplaySink
{
    private static readonly AsyncLocal<Action<object?>?> current = new();

    /// <summary>Sends a value to the cell that is running.</summary>
    public static void Show(object? value) =>
        (current.Value ?? throw new InvalidOperationException("display() was called outside a running notebook cell"))(value);

    internal static IDisposable Capture(Action<object?> sink)
    {
        var previous = current.Value;
        current.Value = sink;
        return new Restore(() => current.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable { public void Dispose() => undo(); }
}

/// <summary>C# cells through Roslyn scripting: each cell continues the previous submission, so variables and usings carry over.</summary>
public sealed class CSharpKernel(string notebookDirectory) : IKernel
{
    private ScriptState<object>? state;
    private readonly ScriptGlobals globals = new();

    private ScriptOptions Options(string cellFile) => ScriptOptions.Default
        .WithFilePath(Path.Combine(notebookDirectory, cellFile))
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(notebookDirectory))
        .WithSourceResolver(new SourceFileResolver([], notebookDirectory))
        .WithEmitDebugInformation(true)
        .WithFileEncoding(System.Text.Encoding.UTF8)
        .WithImports("System", "System.Linq", "System.Collections.Generic", "System.IO", "System.Threading.Tasks")
        .AddReferences(typeof(Enumerable).Assembly, typeof(ScriptGlobals).Assembly);

    /// <inheritdoc/>
    public CellOutcome Run(string code, string cellFile)
    {
        try
        {
            var options = Options(cellFile);
            state = state is null
                ? CSharpScript.Create(code, options, typeof(ScriptGlobals)).RunAsync(globals, catchException: _ => true).GetAwaiter().GetResult()
                : state.ContinueWithAsync(code, options, catchException: _ => true).GetAwaiter().GetResult();
            if (state.Exception is { } e) return new CellOutcome(false, null, e, LineOf(e, cellFile), "runtime");
            return new CellOutcome(EndsWithValue(state.Script.GetCompilation()), state.ReturnValue, null, 0, "");
        }
        catch (CompilationErrorException e)
        {
            var first = e.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
            int line = first is null ? 0 : first.Location.GetLineSpan().StartLinePosition.Line + 1;
            return new CellOutcome(false, null, e, line, "compile");
        }
    }

    /// <summary>A trailing expression without ';' whose type is not void is the cell's value, as in Polyglot.</summary>
    private static bool EndsWithValue(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Last();
        if (tree.GetRoot() is not Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax unit ||
            unit.Members.LastOrDefault() is not Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax { Statement: Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax statement } ||
            !statement.SemicolonToken.IsMissing) return false;
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    private static int LineOf(Exception e, string cellFile)
    {
        var trace = new System.Diagnostics.StackTrace(e, fNeedFileInfo: true);
        foreach (var frame in trace.GetFrames())
            if (frame.GetFileName() is string f && f.EndsWith(cellFile, StringComparison.Ordinal)) return frame.GetFileLineNumber();
        return 0;
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>F# cells through FSharp.Compiler.Service's <c>FsiEvaluationSession</c>, in process.</summary>
public sealed class FSharpKernel : IKernel
{
    private readonly Shell.FsiEvaluationSession session;
    private readonly StringWriter output = new(), errors = new();
    private readonly string notebookDirectory;

    /// <summary>Starts a session whose <c>display</c> function writes to the running cell.</summary>
    public FSharpKernel(string notebookDirectory)
    {
        this.notebookDirectory = notebookDirectory;
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        session = Shell.FsiEvaluationSession.Create(config, ["fsi.exe", "--noninteractive", "--nologo", "--gui-"],
            new StringReader(""), output, errors, null, null);
        var self = typeof(DisplaySink).Assembly.Location;
        var setup = Run($"#r @\"{self}\"\nlet display (value: obj) = AutoGradRnn.Notebooks.DisplaySink.Show value", "setup.fsx");
        if (setup.Error is not null) throw new InvalidOperationException("could not start the F# kernel: " + setup.Error.Message, setup.Error);
    }

    /// <inheritdoc/>
    public CellOutcome Run(string code, string cellFile)
    {
        var (result, diagnostics) = session.EvalInteractionNonThrowing(code, Path.Combine(notebookDirectory, cellFile), FSharpOption<CancellationToken>.None).ToValueTuple();
        var error = diagnostics.FirstOrDefault(d => d.Severity.IsError);
        if (result is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 failure)
        {
            bool compile = error is not null;
            var message = compile ? string.Join("\n", diagnostics.Where(d => d.Severity.IsError).Select(d => $"({d.StartLine},{d.StartColumn + 1}): error FS{d.ErrorNumber:0000}: {d.Message}")) : failure.Item.Message;
            var e = compile ? new InvalidOperationException(message) : Unwrap(failure.Item);
            return new CellOutcome(false, null, e, compile ? error!.StartLine : 0, compile ? "compile" : "runtime");
        }
        var value = ((FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2)result).Item;
        bool hasValue = value is not null && value.Value.ReflectionType != typeof(Unit);
        return new CellOutcome(hasValue, hasValue ? value!.Value.ReflectionValue : null, null, 0, "");
    }

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;

    /// <inheritdoc/>
    public void Dispose()
    {
        (session as IDisposable)?.Dispose();
        output.Dispose();
        errors.Dispose();
    }
}
