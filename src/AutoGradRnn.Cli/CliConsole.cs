using System.Text;
using Spectre.Console;

namespace AutoGradRnn.Cli;

/// <summary>
/// The console the CLI writes to. On a pipe, in a file or with NO_COLOR set (https://no-color.org: any non-empty value)
/// it writes plain text: no ANSI escape codes, no live progress bar; when redirected, no wrapping at the 80 columns
/// Spectre.Console assumes without a terminal, so a value never splits across lines in a log.
/// </summary>
internal static class CliConsole
{
    /// <summary>Width when redirected: wide enough that no line of ours wraps, small enough that a table never allocates for it.</summary>
    internal const int RedirectedWidth = 4096;

    /// <summary>The console for this process; sets UTF-8 output first so non-ASCII text prints whole.</summary>
    public static IAnsiConsole Create()
    {
        Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);   // recreates Console.Out: before wrapping it
        return Create(Console.Out, Console.IsOutputRedirected, Environment.GetEnvironmentVariable("NO_COLOR"));
    }

    /// <summary>A console on <paramref name="output"/>: plain when <paramref name="redirected"/> or <paramref name="noColor"/> is non-empty.</summary>
    internal static IAnsiConsole Create(TextWriter output, bool redirected, string? noColor)
    {
        bool plain = redirected || !string.IsNullOrEmpty(noColor);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = RedirectedWidth;
        return console;
    }
}
