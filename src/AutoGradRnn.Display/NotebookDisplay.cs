using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace AutoGradRnn.Display;

/// <summary>
/// Makes Plotly.NET charts display as charts in .NET Interactive (Jupyter, VS Code) and in the project's notebook
/// runner: registers text/html formatters for <see cref="GenericChart"/> and <see cref="AnimatedChart"/>. Runs by
/// itself when this assembly loads; notebooks call <see cref="Register"/> in their first cell so that it has run
/// before any cell touches Plotly.NET.
/// </summary>
public static class NotebookDisplay
{
    private static int registered;

    /// <summary>
    /// Registers the formatters (once). Also lets Plotly.NET run inside the .NET Interactive 1.0.712001 kernel: Plotly.NET
    /// 6.0.0 is built against FSharp.Core 10.1 while the kernel ships FSharp.Core 10.0, so without this every chart fails
    /// with a FileNotFoundException or MissingMethodException; requests for a newer FSharp.Core are answered with the
    /// one the process already has (the same major version).
    /// </summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        AppDomain.CurrentDomain.AssemblyResolve += UseLoadedFSharpCore;
        RegisterFormatters();
    }

    // Separate and not inlined: compiling it loads Plotly.NET's types, which must happen after the resolver is attached.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterFormatters()
    {
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(ChartHtml.Fragment(chart)), HtmlFormatter.MimeType);
        Formatter.Register<AnimatedChart>((chart, writer) => writer.Write(ChartHtml.Fragment(chart)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(AnimatedChart), HtmlFormatter.MimeType);
    }

#pragma warning disable CA2255 // a display assembly registering its formatters on load is the intended use
    [ModuleInitializer]
    internal static void OnLoad() => Register();
#pragma warning restore CA2255

    private static Assembly? UseLoadedFSharpCore(object? sender, ResolveEventArgs args)
    {
        var wanted = new AssemblyName(args.Name);
        if (wanted.Name != "FSharp.Core") return null;
        return AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName() is { Name: "FSharp.Core" } n && n.Version?.Major == wanted.Version?.Major);
    }
}
