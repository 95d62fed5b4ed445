using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace AutoGradRnn.Cli;

/// <summary>
/// The autogradrnn command line. User errors (missing files, bad values, unknown cells, CSVs without the column…)
/// print one line and exit with code 2; a stack trace only ever means a bug.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for a user error.</summary>
    public const int UsageError = 2;

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
            // System.CommandLine lists the allowed values on separate lines: one line is easier to read in a log.
            error.WriteLine($"autogradrnn: {string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}");
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
    }

    /// <summary>The first line of the message, without .NET's " (Parameter 'x')" suffix.</summary>
    internal static string Message(Exception e)
    {
        var message = e.Message.Split('\n')[0];
        return e is ArgumentException { ParamName: { } name } ? message.Replace($" (Parameter '{name}')", "") : message;
    }

    internal static bool IsUserError(Exception e) => e is ArgumentException or DataFormatException or CheckpointException
        or FileNotFoundException or DirectoryNotFoundException or TrainingDivergedException or UnauthorizedAccessException;

    internal static int[] Ints(string text, string option)
    {
        try { return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{option}: '{text}' is not a comma-separated list of integers"); }
        catch (OverflowException) { throw new ArgumentException($"{option}: '{text}' has a number out of range"); }
    }

    internal static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
