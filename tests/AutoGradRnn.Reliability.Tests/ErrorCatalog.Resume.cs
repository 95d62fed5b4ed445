using AutoGradRnn.Cli;
using Spectre.Console;

namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E70–E79: interrupted and resumed runs.</summary>
    private static IReadOnlyList<ErrorCase> ResumeCases { get; } =
    [
        new("E70", "resume", "autogradrnn train-char --resume with another --hidden than the interrupted run's", null, d =>
        {
            Interrupted([.. CharRun(d), "--hidden", "4"]);
            Cli([.. CharRun(d), "--hidden", "8", "--resume"]);
        }),
        new("E71", "resume", "autogradrnn train-char --resume on a text that changed since the interruption", null, d =>
        {
            Interrupted([.. CharRun(d)]);
            File.AppendAllText(d.File("t.txt"), "one more line\n");
            Cli([.. CharRun(d), "--resume"]);
        }),
        new("E72", "resume", "autogradrnn train-char --resume with no resume file in the --out folder", null, d => Cli([.. CharRun(d), "--resume"])),
        new("E73", "resume", "autogradrnn train-char --resume on a folder whose resume file forecast wrote", null, d =>
        {
            Interrupted(["forecast", "--csv", Series(d), "--periods", "24", "--horizon", "12", "--hidden", "2", "--epochs", "1", "--out", d.File("run")]);
            Cli([.. CharRun(d), "--resume"]);
        }),
        new("E74", "resume", "autogradrnn train-char --resume with a truncated resume file", null, d =>
        {
            Interrupted([.. CharRun(d)]);
            var path = Path.Combine(d.File("run"), "resume.safetensors");
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..5]);   // cut inside the header length
            Cli([.. CharRun(d), "--resume"]);
        }),
        new("E75", "resume", "autogradrnn long-memory --resume with another --steps than the interrupted run's", null, d =>
        {
            Interrupted(["long-memory", "--gaps", "3", "--cells", "lstm", "--seeds", "1", "--steps", "4", "--hidden", "2", "--out", d.File("run")]);
            Cli("long-memory", "--gaps", "3", "--cells", "lstm", "--seeds", "1", "--steps", "5", "--hidden", "2", "--out", d.File("run"), "--resume");
        }),
        new("E76", "resume", "autogradrnn classify --checkpoint-every -1", null, d => Cli("classify", "--csv", Write(d, "c.csv", "name,label\nab,x\ncd,y\n"), "--checkpoint-every", "-1", "--out", d.File("run"))),
        new("E77", "resume", "a trainer resumed from a model checkpoint instead of a resume file", typeof(CheckpointException), d =>
        {
            Checkpoint<float>.Save(d.File("m.safetensors"), Tensor.Zeros<float>(2));
            Trainer<float>.Fit(Tensor.Zeros<float>(2), new Sgd<float>(0.1), (p, b) => Ops.Sum(p), new[] { new Dummy() }, [], new TrainerOptions(), null,
                new TrainingControl { ResumeFile = d.File("m.safetensors"), Resume = true });
        }),
        new("E78", "resume", "a trainer told to resume with no resume file named", typeof(ArgumentException), _ =>
            Trainer<float>.Fit(Tensor.Zeros<float>(2), new Sgd<float>(0.1), (p, b) => Ops.Sum(p), new[] { new Dummy() }, [], new TrainerOptions(), null, new TrainingControl { Resume = true })),
        new("E79", "resume", "a trainer resumed with another seed than the saved run's", typeof(CheckpointException), d =>
        {
            var control = new TrainingControl { ResumeFile = d.File("r.safetensors"), Cancellation = new CancellationToken(canceled: true) };
            try { Trainer<float>.Fit(Tensor.Zeros<float>(2), new Sgd<float>(0.1), (p, b) => Ops.Sum(p), new[] { new Dummy() }, [], new TrainerOptions { Seed = 1 }, null, control); }
            catch (TrainingInterruptedException) { }
            Trainer<float>.Fit(Tensor.Zeros<float>(2), new Sgd<float>(0.1), (p, b) => Ops.Sum(p), new[] { new Dummy() }, [], new TrainerOptions { Seed = 2 }, null,
                control with { Cancellation = default, Resume = true });
        }),
    ];

    /// <summary>A tiny train-char run writing to &lt;tmp&gt;/run.</summary>
    private static string[] CharRun(TempDir d)
    {
        if (!File.Exists(d.File("t.txt"))) File.WriteAllText(d.File("t.txt"), string.Concat(Enumerable.Repeat("abcab cabca bcabc abcab\n", 10)));
        return ["train-char", "--text", d.File("t.txt"), "--steps", "3", "--seq", "4", "--batch", "2", "--out", d.File("run")];
    }

    private static string Series(TempDir d) =>
        Write(d, "s.csv", "t,v\n" + string.Concat(Enumerable.Range(0, 24 * 12).Select(i => $"{i},{10 + i % 24 + i % 5}\n")));

    /// <summary>Runs the CLI as if Ctrl-C came before its first step: it saves the resume file and exits 130.</summary>
    private static void Interrupted(string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        var error = new StringWriter();
        int exit = CliApp.Run(args, console, error, new CancellationToken(canceled: true));
        if (exit != CliApp.Interrupted) throw new InvalidOperationException($"the run to interrupt exited {exit}: {error}");
    }
}
