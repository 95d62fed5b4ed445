using Spectre.Console;

namespace AutoGradRnn.Cli.Tests;

/// <summary>
/// The command line's boundary: paths refused before any training, numeric flags refused at parse time naming the
/// flag, every expected exception class one line with exit 2, and a bug a stack trace that says it is one (exit 70).
/// </summary>
public class CliBoundaryTests
{
    private static string Text(TempDir dir)
    {
        var path = dir.File("text.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 300)));
        return path;
    }

    public static TheoryData<string, string> BadOutputs() => new()
    {
        { "--checkpoint=<dir>/nosuch/m.safetensors", "--checkpoint '<dir>/nosuch/m.safetensors': folder '<dir>/nosuch' does not exist" },
        { "--checkpoint=<dir>/text.txt", "--checkpoint '<dir>/text.txt' is the same file as --text '<dir>/text.txt'" },
        { "--checkpoint=<dir>", "--checkpoint '<dir>' is a folder" },
        { "--out=<dir>/text.txt", "--out '<dir>/text.txt' is a file" },
        { "--out=<dir>/text.txt/sub", "--out '<dir>/text.txt/sub': '<dir>/text.txt' is a file, not a folder" },
    };

    [Theory, MemberData(nameof(BadOutputs))]
    public void A_bad_output_path_fails_before_training(string flag, string message)
    {
        using var dir = new TempDir();
        var text = Text(dir);
        var args = new List<string> { "train-char", "--text", text, "--hidden", "4", "--steps", "50", "--seq", "8", "--batch", "2", "--threads", "1" };
        if (!flag.StartsWith("--out")) args.AddRange(["--out", dir.File("runs")]);
        args.Add(flag.Replace("<dir>", dir.Path));
        var (exit, output, error) = Cli.Run([.. args]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"autogradrnn: {message.Replace("<dir>", dir.Path)}", error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("step", output);                                    // no training progress: it failed fast
        Assert.False(Directory.Exists(dir.File("runs")), "a refused run leaves no --out folder behind");
        Assert.Equal(string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 300)), File.ReadAllText(text));
    }

    public static TheoryData<string, string, string> NumericFlags() => new()
    {
        { "train-char --text x", "--hidden", "0" }, { "train-char --text x", "--layers", "-1" }, { "train-char --text x", "--seq", "99999999999" },
        { "train-char --text x", "--batch", "abc" }, { "train-char --text x", "--steps", "0" }, { "train-char --text x", "--lr", "0" },
        { "train-char --text x", "--lr", "inf" }, { "train-char --text x", "--threads", "0" }, { "train-char --text x", "--seed", "1e3" },
        { "sample --checkpoint x", "--length", "-1" }, { "sample --checkpoint x", "--temperature", "-0.5" }, { "sample --checkpoint x", "--temperature", "NaN" },
        { "forecast --csv x", "--horizon", "-1" }, { "forecast --csv x", "--window", "-2" }, { "forecast --csv x", "--epochs", "0" },
        { "forecast --csv x", "--hidden", "-5" }, { "forecast --csv x", "--test-fraction", "0.5" }, { "forecast --csv x", "--test-fraction", "-0.1" },
        { "long-memory", "--seeds", "0" }, { "long-memory", "--hidden", "0" }, { "long-memory", "--steps", "-3" }, { "long-memory", "--batch", "3000000000" },
        { "long-memory", "--lr", "0" }, { "long-memory", "--clip", "-1" }, { "long-memory", "--seed", "-2" },
        { "classify --csv x", "--hidden", "0" }, { "classify --csv x", "--epochs", "-1" }, { "gradcheck", "--seed", "x" },
        { "train-char --text x", "--dropout", "1" }, { "train-char --text x", "--dropout", "-0.1" }, { "classify --csv x", "--dropout", "1.5" }, { "forecast --csv x", "--dropout", "NaN" },
        { "train-char --text x", "--zoneout", "1" }, { "forecast --csv x", "--variational-dropout", "-0.5" }, { "classify --csv x", "--zoneout", "2" },
    };

    [Theory, MemberData(nameof(NumericFlags))]
    public void A_numeric_flag_out_of_range_is_refused_naming_it(string command, string flag, string value)
    {
        var (exit, _, error) = Cli.Run([.. command.Split(' '), flag, value]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"autogradrnn: {flag}", error);
        Assert.Contains(value, error);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("trian-char", "unknown command 'trian-char'; did you mean 'train-char'?")]
    [InlineData("forcast", "unknown command 'forcast'; did you mean 'forecast'?")]
    [InlineData("zzz", "unknown command 'zzz' (commands: train-char, sample")]
    [InlineData("sample --checkpoint m --temprature 1", "sample: unknown option '--temprature'; did you mean '--temperature'?")]
    public void A_typo_gets_the_closest_name(string args, string message)
    {
        var (exit, _, error) = Cli.Run(args.Split(' '));
        Assert.Equal(2, exit);
        Assert.StartsWith($"autogradrnn: {message}", error);
    }

    [Fact]
    public void Every_expected_exception_class_is_a_user_error_and_a_bug_is_not()
    {
        Exception[] user = [new IOException("No space left on device"), new FormatException("x"), new OverflowException("x"), new UnauthorizedAccessException("x"),
            new OutOfMemoryException(), new ArgumentOutOfRangeException("p", "x"), new FileNotFoundException("x")];
        Assert.All(user, e => Assert.True(CliApp.IsUserError(e), e.GetType().Name));
        Exception indexBug;
        try { _ = new List<int>()[0]; throw new InvalidOperationException("unreachable"); } catch (ArgumentOutOfRangeException e) { indexBug = e; }
        Assert.All(new Exception[] { new InvalidOperationException(), new NullReferenceException(), new NotSupportedException(), indexBug }, e => Assert.False(CliApp.IsUserError(e), e.GetType().Name));
        Assert.Equal("x must be 1", CliApp.Message(new ArgumentException("x must be 1", "p")));
    }

    /// <summary>A console that fails like a bug would: the run must say so, with the trace, and exit 70.</summary>
    [Fact]
    public void A_bug_prints_internal_error_with_its_stack_trace_and_exits_70()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new Broken()), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        var error = new StringWriter();
        int exit = CliApp.Run(["gradcheck"], console, error);
        Assert.Equal(CliApp.InternalError, exit);
        Assert.StartsWith("autogradrnn: internal error, please report it: System.InvalidOperationException: broken console", error.ToString());
        Assert.Contains("   at ", error.ToString());
    }

    private sealed class Broken : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("broken console");
        public override void Write(string? value) => throw new InvalidOperationException("broken console");
        public override void Write(char[] buffer, int index, int count) => throw new InvalidOperationException("broken console");
    }
}
