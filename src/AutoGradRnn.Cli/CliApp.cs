using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace AutoGradRnn.Cli;

/// <summary>
/// The autogradrnn command line. User errors (missing files, bad values, unknown cells, CSVs without the column…)
/// print one line and exit with code 2; a stack trace only ever means a bug, and then says so (exit code 70).
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for a user error.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a bug (sysexits' EX_SOFTWARE): the message asks for a report and carries the stack trace.</summary>
    public const int InternalError = 70;

    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to <paramref name="console"/> and errors to <paramref name="error"/>.
    /// Once <paramref name="cancellation"/> fires, a training command saves its resume file at the next step and exits with <see cref="Interrupted"/>.
    /// </summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellation = default)
    {
        var root = new RootCommand("AutoGradRnn: recurrent networks from Colah's essay, trained and measured on real data.");
        foreach (var command in Commands.All(console, cancellation)) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"autogradrnn: {ParseErrors.Describe(root, parse)}");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = console.Profile.Out.Writer, Error = error });
        }
        catch (TrainingInterruptedException e)
        {
            error.WriteLine(e.ResumeFile.Length > 0
                ? $"autogradrnn: interrupted at step {e.Step} of {e.TotalSteps}; saved {e.ResumeFile}; continue with --resume"
                : $"autogradrnn: interrupted at step {e.Step} of {e.TotalSteps}; nothing saved");
            return Interrupted;
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"autogradrnn: {Message(e)}");
            return UsageError;
        }
        catch (Exception e)
        {
            error.WriteLine($"autogradrnn: internal error, please report it: {e}");
            return InternalError;
        }
    }

    /// <summary>The first line of the message, without .NET's " (Parameter 'x')" suffix.</summary>
    internal static string Message(Exception e)
    {
        if (e is OutOfMemoryException) return "not enough memory for this run; lower the sizes (--hidden, --layers, --batch, --seq, --window, --gaps)";
        var message = e.Message.Split('\n')[0].TrimEnd('\r');
        return e is ArgumentException { ParamName: { } name } ? message.Replace($" (Parameter '{name}')", "") : message;
    }

    /// <summary>
    /// The exception classes a user's input or machine can cause: bad values, unreadable or malformed files, a full or
    /// read-only disk, numbers out of range, too little memory, a diverging run, a model ONNX cannot express. Anything else is a bug.
    /// </summary>
    internal static bool IsUserError(Exception e) => e is ArgumentException or FormatException or IOException or UnauthorizedAccessException
        or OverflowException or OutOfMemoryException or TrainingDivergedException or OnnxExportException
        && !IsIndexBug(e);

    /// <summary>A collection indexed out of range (the BCL's own message, not one of ours): a bug even though it is an ArgumentException.</summary>
    private static bool IsIndexBug(Exception e) => e is ArgumentOutOfRangeException { ParamName: "index" } && e.Message.StartsWith("Index was out of range", StringComparison.Ordinal);

    /// <summary>A comma-separated list of integers; <paramref name="required"/>: an empty list is an error naming <paramref name="option"/>.</summary>
    internal static int[] Ints(string text, string option, bool required = false)
    {
        var items = List(text, required ? option : null);
        try { return items.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{option}: '{text}' is not a comma-separated list of integers"); }
        catch (OverflowException) { throw new ArgumentException($"{option}: '{text}' has a number out of range"); }
    }

    /// <summary>The items of a comma-separated list; <paramref name="option"/> names the flag when an empty list is not allowed.</summary>
    internal static string[] List(string text, string? option = null)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (option is not null && items.Length == 0) throw new ArgumentException($"{option}: '{text}' is empty; give at least one value");
        return items;
    }
}
