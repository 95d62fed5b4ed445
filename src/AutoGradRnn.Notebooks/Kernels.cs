using System.Collections.Immutable;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.AspNetCore.Html;
using Microsoft.CodeAnalysis;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.ValueSharing;
using Microsoft.FSharp.Core;
using Diagnostic = Microsoft.DotNet.Interactive.Diagnostic;
using LinePosition = Microsoft.DotNet.Interactive.LinePosition;
using LinePositionSpan = Microsoft.DotNet.Interactive.LinePositionSpan;

namespace AutoGradRnn.Notebooks;

/// <summary>
/// The kernels a notebook runs in, configured as <c>dotnet interactive jupyter</c> configures them
/// (dotnet/interactive, <c>src/dotnet-interactive/KernelBuilder.cs</c>): a <see cref="CompositeKernel"/> with
/// .NET Interactive's own <see cref="CSharpKernel"/> and an F# kernel, each with <c>#r</c>/<c>#i</c> as known
/// directives, the kernel helpers (<c>display</c>, <c>HTML</c>, …), <c>#!who</c>/<c>#!whos</c> and
/// <c>#!set</c>/<c>#!share</c>, and the formatter settings of the Jupyter front end (HTML by default, plain text for
/// strings). Not reproduced: NuGet restore (<c>#r "nuget:..."</c>, see <see cref="UseNugetDirective{T}"/>), the
/// Jupyter-only magics (<c>#!time</c>, <c>#!lsmagic</c>, <c>#!markdown</c>, …) and <c>input()</c>/<c>password()</c>,
/// whose package (Microsoft.DotNet.Interactive.Jupyter) the feed does not serve.
/// </summary>
public static class Kernels
{
    /// <summary>The kernel names cells may target, as in the real tool (aliases <c>c#</c>, <c>f#</c>).</summary>
    public static readonly IReadOnlyList<string> Names = ["csharp", "fsharp"];

    /// <summary>A fresh composite kernel whose default subkernel is <paramref name="defaultKernelName"/>.</summary>
    public static CompositeKernel Create(string defaultKernelName)
    {
        var composite = new CompositeKernel();
        composite.Add(
            new CSharpKernel()
                .UseNugetDirective()
                .UseKernelHelpers()
                .UseWho()
                .UseValueSharing(),
            ["c#", "C#"]);
        composite.Add(
            new FSharpKernel()
                .UseDefaultFormatting()
                .UseNugetDirective()
                .UseKernelHelpers()
                .UseWho()
                .UseValueSharing(),
            ["f#", "F#"]);
        composite.DefaultKernelName = defaultKernelName;
        return composite;
    }

    /// <summary>
    /// The directives the real tool's <c>UseNugetDirective()</c> adds (from Microsoft.DotNet.Interactive.PackageManagement):
    /// <c>#r</c> and <c>#i</c> are known directives, so the submission parser keeps <c>#r "path.dll"</c> as code for the
    /// language kernel wherever it stands in a cell (an unknown <c>#r</c> after <c>#!fsharp</c> would be dropped). The
    /// NuGet forms fail here: PackageManagement 1.0.0-beta.26120.1 is built against FSharp.Compiler.Service 43.10 and
    /// fails with a MissingMethodException on the 43.13 this host must carry, so this runner restores no packages.
    /// </summary>
    public static T UseNugetDirective<T>(this T kernel) where T : Kernel
    {
        foreach (var name in (string[])["#r", "#i"])
            kernel.AddDirective(
                new KernelActionDirective(name) { Parameters = { new KernelDirectiveParameter("") { AllowImplicitName = true, Required = true } } },
                (command, context) =>
                {
                    context.Fail(command, message: $"{name} \"nuget:...\": this runner restores no NuGet packages (reference built assemblies with #r \"path.dll\")");
                    return Task.CompletedTask;
                });
        kernel.AddDirective(new KernelActionDirective("#!nuget-restore") { Hidden = true }, (_, _) => Task.CompletedTask);
        return kernel;
    }

    private static int formattersSetUp;

    /// <summary>
    /// Gives the process-wide <see cref="Formatter"/> the settings the real tool makes for the Jupyter (browser) front
    /// end (<c>KernelBuilder.SetUpFormatters</c>: HTML by default, plain text for strings), once per process. It is not
    /// reset between notebooks: formatters that display assemblies register once per process (e.g. on load) must stay.
    /// </summary>
    public static void SetUpFormatters()
    {
        if (Interlocked.Exchange(ref formattersSetUp, 1) == 1) return;
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
    }
}

/// <summary>
/// F# cells through FSharp.Compiler.Service's <c>FsiEvaluationSession</c>, in process, with the event semantics of
/// .NET Interactive's F# kernel (<c>Microsoft.DotNet.Interactive.FSharp.FSharpKernel</c>, which is not published
/// on the package feed): the same fsi arguments, every diagnostic published, a non-unit value becomes a
/// <see cref="ReturnValueProduced"/> formatted by <see cref="FormattedValue.CreateManyFromObject"/>, and a failure
/// is a compilation error or the thrown exception.
/// </summary>
public sealed class FSharpKernel :
    Kernel,
    IKernelCommandHandler<SubmitCode>,
    IKernelCommandHandler<RequestValueInfos>,
    IKernelCommandHandler<RequestValue>,
    IKernelCommandHandler<SendValue>
{
    private static readonly Lock CreateLock = new();
    private readonly Lazy<Shell.FsiEvaluationSession> session;

    /// <summary>A kernel named <c>fsharp</c>; the fsi session starts with the first submission (so in its working directory).</summary>
    public FSharpKernel() : base("fsharp")
    {
        KernelInfo.LanguageName = "F#";
        KernelInfo.LanguageVersion = "10.0";
        KernelInfo.DisplayName = $"{KernelInfo.LocalName} - F# Script";
        KernelInfo.Description = "Compile and run F# code";
        session = new(CreateSession);
        RegisterForDisposal(() => { if (session.IsValueCreated) (session.Value as IDisposable)?.Dispose(); });
    }

    /// <summary>The arguments of the real kernel's <c>FSharpScript</c>: quiet, preview language, runtime (not SDK) references, one dynamic assembly.</summary>
    private static Shell.FsiEvaluationSession CreateSession()
    {
        string[] args =
        [
            typeof(FSharpKernel).Assembly.Location, "--noninteractive", "--targetprofile:netcore", "--quiet", "--langversion:preview",
            "/langversion:preview", "/usesdkrefs-", "--multiemit-",
        ];
        lock (CreateLock)
            return Shell.FsiEvaluationSession.Create(Shell.FsiEvaluationSession.GetDefaultConfiguration(), args, Console.In, Console.Out, Console.Error, null, null);
    }

    Task IKernelCommandHandler<SubmitCode>.HandleAsync(SubmitCode command, KernelInvocationContext context)
    {
        context.Publish(new CodeSubmissionReceived(command));
        var token = context.CancellationToken;
        FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception> result;
        FSharpDiagnostic[] diagnostics;
        try
        {
            (result, diagnostics) = session.Value.EvalInteractionNonThrowing(command.Code, FSharpOption<CancellationToken>.Some(token)).ToValueTuple();
        }
        catch (Exception e)
        {
            (result, diagnostics) = (FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.NewChoice2Of2(e), []);
        }

        // Eval can succeed with error diagnostics (dotnet/interactive#691).
        bool isError = diagnostics.Any(d => d.Severity.IsError);
        if (diagnostics.Length > 0)
            context.Publish(new DiagnosticsProduced(
                diagnostics.Select(ToDiagnostic).ToImmutableArray(),
                diagnostics.Select(d => new FormattedValue(PlainTextFormatter.MimeType, d.ToString())).ToImmutableArray(),
                command));

        if (result is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice1Of2 ok && !isError)
        {
            if (ok.Item?.Value is { } value && value.ReflectionType != typeof(Unit))
            {
                var resultValue = value.ReflectionValue;
                IReadOnlyList<FormattedValue> formatted = resultValue switch
                {
                    FormattedValue one => [one],
                    IEnumerable<FormattedValue> many => [.. many],
                    _ => FormattedValue.CreateManyFromObject(resultValue),
                };
                context.Publish(new ReturnValueProduced(resultValue, command, formatted));
            }
        }
        else if (token.IsCancellationRequested)
            context.Fail(command, null, "Command cancelled");
        else
        {
            var aggregateError = string.Join("\n", diagnostics.Select(d => d.ToString()));
            if (result is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 { Item: var ex and not Shell.FsiCompilationException })
                context.Fail(command, ex, null);
            else
                context.Fail(command, new CodeSubmissionCompilationErrorException(new Exception(aggregateError)), aggregateError);
        }
        return Task.CompletedTask;
    }

    /// <summary>F# lines are 1-based; .NET Interactive's are 0-based (the real kernel keeps a 0 as 0).</summary>
    private static Diagnostic ToDiagnostic(FSharpDiagnostic d)
    {
        int delta = d.StartLine == 0 ? 0 : -1;
        var span = new LinePositionSpan(new LinePosition(d.StartLine + delta, d.StartColumn), new LinePosition(d.EndLine + delta, d.EndColumn));
        var severity = d.Severity.IsError ? DiagnosticSeverity.Error
            : d.Severity.IsWarning ? DiagnosticSeverity.Warning
            : d.Severity.IsInfo ? DiagnosticSeverity.Info
            : DiagnosticSeverity.Hidden;
        return new Diagnostic(span, severity, $"FS{d.ErrorNumber:0000}", d.Message);
    }

    private IEnumerable<Shell.FsiBoundValue> BoundValues() => session.Value.GetBoundValues().Where(v => v.Name != "it");   // not the special `it`

    Task IKernelCommandHandler<RequestValueInfos>.HandleAsync(RequestValueInfos command, KernelInvocationContext context)
    {
        var infos = BoundValues()
            .Select(v => new KernelValueInfo(v.Name, FormattedValue.CreateSingleFromObject(v.Value.ReflectionValue, command.MimeType), v.Value.ReflectionValue?.GetType()))
            .ToArray();
        context.Publish(new ValueInfosProduced(infos, command));
        return Task.CompletedTask;
    }

    Task IKernelCommandHandler<RequestValue>.HandleAsync(RequestValue command, KernelInvocationContext context)
    {
        if (session.Value.TryFindBoundValue(command.Name)?.Value is { } bound)
            context.Publish(new ValueProduced(bound.Value.ReflectionValue, command.Name,
                new FormattedValue(command.MimeType, bound.Value.ReflectionValue.ToDisplayString(command.MimeType)), command));
        else
            context.Fail(command, message: $"Value '{command.Name}' not found in kernel {Name}");
        return Task.CompletedTask;
    }

    Task IKernelCommandHandler<SendValue>.HandleAsync(SendValue command, KernelInvocationContext context) =>
        SetValueAsync(command, context, (name, value, _) => { session.Value.AddBoundValue(name, value); return Task.CompletedTask; });

    /// <summary>
    /// As the real kernel's <c>UseDefaultFormatting</c>: references the formatting assemblies and opens
    /// <c>System</c>, <c>System.IO</c>, <c>System.Text</c> and <c>Microsoft.DotNet.Interactive.Formatting</c>.
    /// </summary>
    public FSharpKernel UseDefaultFormatting()
    {
        DeferCommand(new SubmitCode(string.Join(Environment.NewLine,
            Reference(typeof(IHtmlContent)), Reference(typeof(Kernel)), Reference(typeof(Formatter)),
            Open(typeof(Console)), Open(typeof(File)), Open(typeof(System.Text.StringBuilder)), Open(typeof(Formatter)))));
        return this;
    }

    /// <summary>
    /// As the real kernel's <c>UseKernelHelpers</c>: the <c>FSharpKernelHelpers.DisplayFunctions</c> module
    /// (<c>display</c>, <c>HTML</c>, <c>CSS</c>, <c>Javascript</c>, which live in Microsoft.DotNet.Interactive.FSharp.dll
    /// there and are defined in the session here), then <c>open type Microsoft.DotNet.Interactive.Kernel</c>.
    /// </summary>
    public FSharpKernel UseKernelHelpers()
    {
        DeferCommand(new SubmitCode(string.Join(Environment.NewLine,
            Reference(typeof(Kernel)),
            "[<AutoOpen>]",
            "module FSharpKernelHelpers =",
            "    /// Display the object using current display settings",
            "    let display (value: obj) = Microsoft.DotNet.Interactive.Kernel.display(value)",
            "    /// Display the object as HTML using current display settings",
            "    let HTML (value: string) = Microsoft.DotNet.Interactive.Kernel.HTML(value)",
            "    /// Specify CSS style specifications.  If displayed, the styles will apply to the current worksheet.",
            "    let CSS (styles: string) = Microsoft.DotNet.Interactive.Kernel.CSS styles",
            "    /// Execute the content as Javascript",
            "    let Javascript (content: string) = Microsoft.DotNet.Interactive.Kernel.Javascript content",
            "open FSharpKernelHelpers",
            $"open type {typeof(Kernel).FullName}")));
        return this;
    }

    private static string Reference(Type type) => $"#r \"{type.Assembly.Location.Replace('\\', '/')}\"";
    private static string Open(Type type) => $"open {type.Namespace}";
}
