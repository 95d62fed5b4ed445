using System.CommandLine;
using AutoGradRnn.Display;
using Spectre.Console;

namespace AutoGradRnn.Cli;

/// <summary>The subcommands; each parses its options, calls the library and reports.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(IAnsiConsole console, CancellationToken cancellation) =>
        [TrainChar(console, cancellation), Sample(console), ExportOnnx(console), Forecast(console, cancellation), LongMemoryCommand(console, cancellation), Classify(console, cancellation), GradCheckCommand(console)];

    private static Option<T> Opt<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    private static Option<string> CellOption(string defaultCell) =>
        Opt("--cell", "rnn, lstm, gru (PyTorch's form), peephole, coupled, gru-essay", defaultCell)
            .AcceptOnlyFromAmong("rnn", "lstm", "gru", "peephole", "coupled", "gru-essay");

    /// <summary>--init, whose default each command takes from the measurements in docs/results.md ("Defaults").</summary>
    private static Option<string> InitOption(string defaultInit) =>
        Opt("--init", "pytorch (PyTorch's exact default), forget1 (the same with LSTM forget-gate bias 1) or keras; the default is measured (docs/results.md)", defaultInit)
            .AcceptOnlyFromAmong("pytorch", "forget1", "keras");

    private static CellInit Init(string? name) => name switch { "pytorch" => CellInit.PyTorch, "keras" => CellInit.Keras, _ => new CellInit() };

    private static Option<int> Int(string name, string description, int defaultValue, int min = 1) => NumberOptions.Whole(name, description, defaultValue, min);

    private static Option<long> Seed() => NumberOptions.Whole("--seed", "random seed", 0L, long.MinValue);

    private static Option<int> Threads() => Int("--threads", "threads for large matrix products (results are bit-identical for any count)", Environment.ProcessorCount);

    private static void ApplyThreads(int threads) => Parallelism.SetMaxThreads(threads);

    /// <summary>--variational-dropout and --zoneout, shared by train-char, forecast and classify.</summary>
    private sealed record RecurrentDropoutOptions(Option<double> Variational, Option<double> Zoneout)
    {
        public static RecurrentDropoutOptions Create(string evaluation) => new(
            NumberOptions.Real("--variational-dropout", $"variational dropout probability on the recurrent input and h in training, one mask per sequence (Gal & Ghahramani 2016; none in {evaluation})", 0, 0, 1, inclusiveLow: true),
            NumberOptions.Real("--zoneout", $"zoneout probability on the recurrent state in training (Krueger et al. 2017; {evaluation} use its expectation)", 0, 0, 1, inclusiveLow: true));
    }

    /// <summary>The value of <paramref name="option"/>: as given on the command line, else the preset's (when it has one), else the default.</summary>
    private static T Value<T>(ParseResult r, Option<T> option, IReadOnlyDictionary<Option, object> preset) =>
        r.GetResult(option) is { Implicit: false } || !preset.TryGetValue(option, out var value) ? r.GetValue(option)! : (T)value;

    /// <summary>--resume and --checkpoint-every, shared by the four training commands.</summary>
    private sealed record ResumeOptions(Option<bool> Resume, Option<int> Every)
    {
        public static ResumeOptions Create() => new(
            new Option<bool>("--resume") { Description = "continue the interrupted run whose resume.safetensors is in the --out folder (same options and data)" },
            Int("--checkpoint-every", "save the run's whole state to <out>/resume.safetensors every N steps (0: only on Ctrl-C/SIGTERM); removed when the run completes", 100, min: 0));

        /// <summary>The trainer's control for a run whose outputs go to <paramref name="folder"/> (the first snapshot creates it).</summary>
        public TrainingControl Control(ParseResult r, string folder, CancellationToken cancellation)
        {
            int every = r.GetValue(Every);
            if (every < 0) throw new ArgumentOutOfRangeException(nameof(every), $"--checkpoint-every {every} must be ≥ 0");
            return new TrainingControl { ResumeFile = Path.Combine(folder, "resume.safetensors"), CheckpointEvery = every, Cancellation = cancellation, Resume = r.GetValue(Resume) };
        }
    }

    private static Command TrainChar(IAnsiConsole console, CancellationToken cancellation)
    {
        var text = Required("--text", "a UTF-8 text file (e.g. data/moby_dick.txt)");
        var cell = CellOption("lstm");
        var hidden = Int("--hidden", "hidden units per layer", 256);
        var layers = Int("--layers", "stacked layers", 1);
        var seq = Int("--seq", "truncated-BPTT length T", 64);
        var batch = Int("--batch", "parallel streams B", 32);
        var steps = Int("--steps", "optimizer steps", 1000);
        var lr = NumberOptions.Real("--lr", "Adam learning rate", 2e-3);
        var checkpoint = Opt("--checkpoint", "where to save the model", "");
        var init = InitOption("pytorch");
        var evalEvery = Int("--eval-every", "evaluate validation bits per character every N steps for the learning curve (0: ten times a run, every ⌈steps/10⌉)", 0, min: 0);
        var dropout = NumberOptions.Real("--dropout", "dropout probability between stacked layers in training (PyTorch's nn.LSTM dropout; none in validation and sampling)", 0, 0, 1, inclusiveLow: true);
        var recurrent = RecurrentDropoutOptions.Create("validation and sampling");
        var preset = Opt("--preset", "quality: the documented quality run (docs/results.md), 2 layers of 512 with dropout 0.3, --seq 128, --init pytorch, 3,500 steps, --eval-every 500; flags given as well override it", "none")
            .AcceptOnlyFromAmong("none", "quality");
        var output = Opt("--out", "folder for results.json and chart.html", Path.Combine("runs", "train-char"));
        var (seed, threads, resume) = (Seed(), Threads(), ResumeOptions.Create());
        var command = new Command("train-char", "Train a character-level language model; prints training and validation bits per character and the best n-gram count model's.")
            { text, cell, hidden, layers, seq, batch, steps, lr, checkpoint, init, evalEvery, dropout, recurrent.Variational, recurrent.Zoneout, preset, output, seed, threads, resume.Resume, resume.Every };
        command.SetAction(r =>
        {
            IReadOnlyDictionary<Option, object> given = r.GetValue(preset) == "quality"
                ? new Dictionary<Option, object> { [hidden] = 512, [layers] = 2, [seq] = 128, [dropout] = 0.3, [init] = "pytorch", [steps] = 3500, [evalEvery] = 500 }
                : new Dictionary<Option, object>();
            var folder = r.GetValue(output)!;
            var path = r.GetValue(checkpoint) is { Length: > 0 } c ? c : Path.Combine(folder, "model.safetensors");
            new CliPaths().Input("--text", r.GetValue(text)!, "text file").OutputFolder("--out", folder, RunOutput.Files).OutputFile("--checkpoint", path);
            ApplyThreads(r.GetValue(threads));
            var corpus = TextCorpus.Load(r.GetValue(text)!);
            var options = new CharModelOptions
            {
                Cell = CellKinds.Parse(r.GetValue(cell)!), Hidden = Value(r, hidden, given), Layers = Value(r, layers, given), SequenceLength = Value(r, seq, given),
                Batch = r.GetValue(batch), Steps = Value(r, steps, given), LearningRate = r.GetValue(lr), Seed = r.GetValue(seed), EvalEvery = Value(r, evalEvery, given),
                Init = Init(Value(r, init, given)),
                Dropout = Value(r, dropout, given), VariationalDropout = r.GetValue(recurrent.Variational), Zoneout = r.GetValue(recurrent.Zoneout),
            };
            if (given.Count > 0)
                console.Profile.Out.Writer.WriteLine($"preset quality: --hidden {options.Hidden} --layers {options.Layers} --seq {options.SequenceLength} --dropout {options.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)} --init {Value(r, init, given)} --steps {options.Steps} --eval-every {options.EvalEvery}");
            if (options.Dropout > 0 && options.Layers == 1) console.MarkupLine("[yellow]note:[/] --dropout acts between stacked layers; with --layers 1 it has no effect");
            Directory.CreateDirectory(folder);   // checked by CliPaths; made now that the run is going ahead
            var control = resume.Control(r, folder, cancellation);
            var evaluations = new ProgressCallback<CharCurvePoint>(e =>
                console.WriteLine($"train-char: step {e.Step}/{options.Steps}: train {e.TrainBitsPerCharacter:F3} bpc, validation {e.ValidationBitsPerCharacter:F3} bpc"));
            var report = ProgressView.Run(console, "train-char", "chars", p => CharLanguageModel.Train(corpus, options, path, p, control, evaluations), ProgressView.BitsPerCharacter);
            console.MarkupLine($"validation bits per character: [bold]{report.ValidationBitsPerCharacter:F3}[/] ({report.ValidationCharacters:N0} characters; {report.Steps} steps, {report.CharactersPerSecond:N0} chars/s)");
            if (report.NGram is { } n)
            {
                double gap = report.ValidationBitsPerCharacter - n.BitsPerCharacter;
                // One line, never wrapped at the console width (it is long).
                console.Profile.Out.Writer.WriteLine($"n-gram baseline (n = {n.Order}, k = {n.K.ToString(System.Globalization.CultureInfo.InvariantCulture)}, counted on the training part, n and k chosen on validation): {n.BitsPerCharacter:F3} bits per character on the same {n.Characters:N0} characters");
                console.MarkupLine(gap < 0 ? $"the model beats the n-gram baseline by {-gap:F3} bpc"
                    : $"[yellow]the model does not beat the n-gram baseline[/] ({gap:F3} bpc worse)");
            }
            console.MarkupLine($"checkpoint: {Markup.Escape(path)}");
            var title = $"{report.Cell} {report.Hidden}×{report.Layers}: validation {report.ValidationBitsPerCharacter:F3} bpc" + (report.NGram is { } b ? $", {b.Order}-gram {b.BitsPerCharacter:F3} bpc" : "");
            RunOutput.Write(console, folder, report, report.Chart(title), "train-char");
            return 0;
        });
        return command;
    }

    private static Command Sample(IAnsiConsole console)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a checkpoint written by train-char (or give --onnx)" };
        var onnx = new Option<string>("--onnx") { Description = "a model written by export-onnx, run in ONNX Runtime (instead of --checkpoint): the same sampling, the same text" };
        var length = Int("--length", "characters to generate", 500, min: 0);
        var temperature = NumberOptions.Real("--temperature", "softmax temperature (lower is more conservative)", 0.8);
        var prime = Opt("--prime", "text to start from", "");
        var seed = Seed();
        var command = new Command("sample", "Generate text from a trained character model (a checkpoint, or its ONNX export in ONNX Runtime).") { checkpoint, onnx, length, temperature, prime, seed };
        command.SetAction(r =>
        {
            var (fromCheckpoint, fromOnnx) = (r.GetValue(checkpoint), r.GetValue(onnx));
            if (fromCheckpoint is not null && fromOnnx is not null)
                throw new ArgumentException("sample: give --checkpoint or --onnx, not both: drop --onnx to sample with the library, or --checkpoint to sample through ONNX Runtime");
            if (fromCheckpoint is null && fromOnnx is null)
                throw new ArgumentException("sample: give --checkpoint (a train-char checkpoint) or --onnx (a model written by export-onnx)");
            var p = r.GetValue(prime)!;
            string text;
            if (fromCheckpoint is not null)
            {
                new CliPaths().Input("--checkpoint", fromCheckpoint, "checkpoint");
                text = CharLanguageModel.Sample(fromCheckpoint, r.GetValue(length), r.GetValue(temperature), p, r.GetValue(seed));
            }
            else
            {
                new CliPaths().Input("--onnx", fromOnnx!, "ONNX model");
                CharLanguageModel.CheckSampling(r.GetValue(length), r.GetValue(temperature));
                using var model = OnnxCharModel.Load(fromOnnx!);
                var ids = model.Vocabulary.Encode(p);
                text = model.Vocabulary.Decode(CharLanguageModel.Generate(ids, model.Vocabulary.Size, r.GetValue(length), r.GetValue(temperature), r.GetValue(seed), model.Stepper()));
            }
            console.Profile.Out.Writer.WriteLine(p + text);
            return 0;
        });
        return command;
    }

    private static Command ExportOnnx(IAnsiConsole console)
    {
        var checkpoint = Required("--checkpoint", "a checkpoint written by train-char");
        var output = Opt("--out", "the .onnx file to write (default: the checkpoint's path with the extension .onnx)", "");
        var command = new Command("export-onnx", "Export a trained character model to ONNX (ids, h0[, c0] → logits, hn[, cn]; the vocabulary in its metadata), for ONNX Runtime.") { checkpoint, output };
        command.SetAction(r =>
        {
            var from = r.GetValue(checkpoint)!;
            var to = r.GetValue(output) is { Length: > 0 } o ? o : Path.ChangeExtension(from, ".onnx");
            new CliPaths().Input("--checkpoint", from, "checkpoint").OutputFile("--out", to);
            OnnxExport.Save(CharModelOnnx.Export(from), to);
            // Read back as the sampler reads it: what ONNX Runtime sees is what is printed.
            using var model = OnnxCharModel.Load(to);
            var lines = console.Profile.Out.Writer;
            lines.WriteLine($"wrote {to} ({new FileInfo(to).Length:N0} bytes): {model.Cell} {model.Layers}×{model.Hidden}, a vocabulary of {model.Vocabulary.Size} characters in its metadata");
            lines.WriteLine($"inputs:  {string.Join("; ", model.Inputs)}");
            lines.WriteLine($"outputs: {string.Join("; ", model.Outputs)}");
            lines.WriteLine($"sample from it with: autogradrnn sample --onnx {to}");
            return 0;
        });
        return command;
    }

    /// <summary>forecast's and classify's --onnx: these runs keep no checkpoint, so the trained model is exported as the run ends.</summary>
    private static Option<string> OnnxOutOption(string what) =>
        Opt("--onnx", $"also write {what} to this .onnx file, for ONNX Runtime", "");

    private static void WriteOnnx(IAnsiConsole console, byte[] model, string path)
    {
        OnnxExport.Save(model, path);
        console.Profile.Out.Writer.WriteLine($"wrote {path} ({model.Length:N0} bytes of ONNX; docs/training.md, \"Export to ONNX\", shows how to run it)");
    }

    private static Command Forecast(IAnsiConsole console, CancellationToken cancellation)
    {
        var csv = Required("--csv", "a CSV file with a header row");
        var horizon = Int("--horizon", "steps per forecast (0 = the shortest period of at least 2)", 0, min: 0);
        var cell = CellOption("lstm");
        var column = Opt("--column", "column to forecast (default: the last numeric column)", "");
        var timeColumn = Opt("--time-column", "timestamp column (default: the first column if it parses as dates)", "");
        var periods = Opt("--periods", "seasonal periods in steps, e.g. 48,336; 1 = the lag-1 naive, which the model may then correct (default: inferred from the timestamps)", "");
        var testFraction = NumberOptions.Real("--test-fraction", "fraction held out for testing, rounded down to whole horizons (default: two cycles of the longest period)", 0.0, 0, 0.5, inclusiveLow: true);
        var testLength = Int("--test-length", "rows held out for testing, exactly; must be a whole number of --horizon steps (0 = use --test-fraction)", 0, min: 0);
        var covariates = Opt("--covariates", "extra numeric input columns, e.g. a,b", "");
        var hidden = Int("--hidden", "hidden units", 64);
        var window = Int("--window", "input window in steps (0 = twice the horizon)", 0, min: 0);
        var epochs = Int("--epochs", "training epochs", 30);
        var dropout = NumberOptions.Real("--dropout", "dropout probability on the final h in training (none in validation and forecasting)", 0, 0, 1, inclusiveLow: true);
        var recurrent = RecurrentDropoutOptions.Create("validation and forecasting");
        var init = InitOption("forget1");
        var allowGaps = Opt("--allow-gaps", "fill missing time steps by linear interpolation (reported) instead of refusing the file", false);
        var output = Opt("--out", "folder for results.json and chart.html", Path.Combine("runs", "forecast"));
        var onnx = OnnxOutOption("the trained forecaster (history[, covariates], origin → forecast, naive_forecast)");
        var (seed, threads, resume) = (Seed(), Threads(), ResumeOptions.Create());
        var command = new Command("forecast", "Forecast a time series with a recurrent network and compare with seasonal-naive baselines.")
            { csv, horizon, cell, column, timeColumn, periods, testFraction, testLength, covariates, hidden, window, epochs, init, dropout, recurrent.Variational, recurrent.Zoneout, allowGaps, output, onnx, seed, threads, resume.Resume, resume.Every };
        command.SetAction(r =>
        {
            var paths = new CliPaths().Input("--csv", r.GetValue(csv)!, "CSV file").OutputFolder("--out", r.GetValue(output)!, RunOutput.Files);
            if (r.GetValue(onnx) is { Length: > 0 } onnxPath) paths.OutputFile("--onnx", onnxPath);
            ApplyThreads(r.GetValue(threads));
            var options = new ForecastOptions
            {
                Horizon = r.GetValue(horizon), Cell = CellKinds.Parse(r.GetValue(cell)!), Column = r.GetValue(column)!, TimeColumn = r.GetValue(timeColumn)!,
                Periods = CliApp.Ints(r.GetValue(periods)!, "--periods"), TestFraction = r.GetValue(testFraction), TestLength = r.GetValue(testLength), Covariates = CliApp.List(r.GetValue(covariates)!),
                Hidden = r.GetValue(hidden), Window = r.GetValue(window), Epochs = r.GetValue(epochs), Seed = r.GetValue(seed), AllowGaps = r.GetValue(allowGaps),
                Dropout = r.GetValue(dropout), VariationalDropout = r.GetValue(recurrent.Variational), Zoneout = r.GetValue(recurrent.Zoneout), Init = Init(r.GetValue(init)),
            };
            if (r.GetValue(onnx) is { Length: > 0 }) ForecasterOnnx.Check(options);   // refuse before training what the export would refuse after it
            var control = resume.Control(r, r.GetValue(output)!, cancellation);
            var report = ProgressView.Run(console, "forecast", "windows", p => Forecasting.Run(r.GetValue(csv)!, options, p, control));
            console.Profile.Out.Writer.WriteLine(report.Time.Summary);   // one line, never wrapped at the console width
            var lines = console.Profile.Out.Writer;   // plain lines, never wrapped at the console width
            lines.WriteLine(report.TargetInferred
                ? $"column '{report.Target}': the last numeric column (no --column given); " + (report.OtherColumns.Count > 0 ? $"other numeric columns: {string.Join(", ", report.OtherColumns)} (pick one with --column)" : "no other numeric column")
                : $"column '{report.Target}' (--column)");
            console.MarkupLine($"{Markup.Escape(report.Target)}: periods {Markup.Escape($"[{string.Join(",", report.Periods)}]")}, {report.Origins.Length} forecasts of {report.Horizon} steps over the test period (rows {report.TestStart}–{report.TestStart + report.Origins.Length * report.Horizon - 1})");
            lines.WriteLine($"training: {report.TrainingWindows:N0} windows of {report.Window} steps (rows 0–{report.TrainEnd - 1}); validation: {report.ValidationWindows} forecasts (rows {report.TrainEnd}–{report.TestStart - 1}); early stopping kept epoch {report.KeptEpoch} of {report.Epochs.Count}");
            var table = new Table().AddColumns("method", $"valid {report.SelectionMetric}", "test MAPE", "RMSE", "MAE");   // narrow: fits 80 columns
            for (int i = 0; i < report.Scores.Count; i++)
            {
                var (s, v) = (report.Scores[i], report.ValidationScores[i]);
                var mark = s.Method == report.BestOnValidation ? " [bold]*[/]" : "";
                table.AddRow(Markup.Escape(s.Method) + mark, report.SelectionMetric == "MAPE" ? $"{v.Mape:F2}" : $"{v.Mae:F1}", $"{s.Mape:F2}", $"{s.Rmse:F1}", $"{s.Mae:F1}");
            }
            console.Write(table);
            lines.WriteLine($"* best on validation ({report.SelectionMetric}): {report.BestOnValidation}");
            lines.WriteLine(report.Verdict);
            foreach (var w in report.Warnings) lines.WriteLine($"warning: {w}");
            RunOutput.Write(console, r.GetValue(output)!, report, report.Chart(), "forecast");
            if (r.GetValue(onnx) is { Length: > 0 } to) WriteOnnx(console, ForecasterOnnx.Export(report.Model!), to);
            return 0;
        });
        return command;
    }

    private static Command LongMemoryCommand(IAnsiConsole console, CancellationToken cancellation)
    {
        var task = Opt("--task", "recall or adding", "recall").AcceptOnlyFromAmong("recall", "adding");
        var placement = Opt("--placement", "recall: key first or at a random position", "random").AcceptOnlyFromAmong("first", "random");
        // Two names for two quantities: recall's gap is the distance from key to question, the adding problem's is the
        // whole sequence length T (its two marked steps sit anywhere in each half).
        var gaps = Opt("--gaps", "recall: steps between the key and the question (default 5,10,20,50,100)", "");
        var lengths = Opt("--lengths", "adding: sequence lengths T (default 5,10,20,50,100)", "");
        var cells = Opt("--cells", "cells to compare", "rnn,lstm,gru");
        var init = Opt("--init", "initialisations to compare: default (PyTorch's; also 'pytorch'), forget1, chrono (comma list); chrono by default, which docs/results.md measured best", "chrono");
        var seeds = Int("--seeds", "seeds per configuration", 3);
        var hidden = Int("--hidden", "hidden units", 32);
        var steps = Int("--steps", "Adam steps per run", 3000);
        var batch = Int("--batch", "sequences per batch", 32);
        var lr = NumberOptions.Real("--lr", "Adam learning rate", 1e-2);
        var clip = NumberOptions.Real("--clip", "gradient-norm clip (0: none)", 1, 0, inclusiveLow: true);
        var seed = Int("--seed", "first seed: runs use seeds seed … seed + seeds − 1", 0, min: 0);
        var output = Opt("--out", "folder for results.json and chart.html", Path.Combine("runs", "long-memory"));
        var (threads, resume) = (Threads(), ResumeOptions.Create());
        var command = new Command("long-memory", "The essay's long-term-dependency experiment: accuracy (recall) or MSE (adding) against the gap.")
            { task, placement, gaps, lengths, cells, init, seeds, hidden, steps, batch, lr, clip, seed, output, threads, resume.Resume, resume.Every };
        command.SetAction(r =>
        {
            bool adding = r.GetValue(task) == "adding";
            var (given, other) = adding ? (r.GetValue(lengths)!, r.GetValue(gaps)!) : (r.GetValue(gaps)!, r.GetValue(lengths)!);
            if (other.Length > 0)
                throw new ArgumentException(adding
                    ? "long-memory: --gaps is recall's distance from key to question; the adding problem takes --lengths (sequence lengths T)"
                    : "long-memory: --lengths is the adding problem's sequence length; recall takes --gaps (steps between the key and the question)");
            string flag = adding ? "--lengths" : "--gaps";
            new CliPaths().OutputFolder("--out", r.GetValue(output)!, RunOutput.Files);
            ApplyThreads(r.GetValue(threads));
            var options = new LongMemoryOptions
            {
                Task = adding ? MemoryTask.Adding : MemoryTask.Recall,
                Placement = r.GetValue(placement) == "first" ? KeyPlacement.First : KeyPlacement.Random,
                Gaps = CliApp.Ints(given.Length > 0 ? given : "5,10,20,50,100", flag, required: true), Cells = CliApp.List(r.GetValue(cells)!, "--cells").Select(CellKinds.Parse).ToArray(),
                Inits = CliApp.List(r.GetValue(init)!, "--init").Select(ParseInit).ToArray(), Seeds = r.GetValue(seeds), Hidden = r.GetValue(hidden),
                Steps = r.GetValue(steps), Batch = r.GetValue(batch), LearningRate = r.GetValue(lr), Clip = r.GetValue(clip), FirstSeed = r.GetValue(seed),
            };
            var control = resume.Control(r, r.GetValue(output)!, cancellation);
            var results = LongMemory.Run(options, new ProgressCallback<LongMemoryResult>(x =>
                console.WriteLine($"{x.Cell}/{x.Init} {(adding ? "T" : "gap")} {x.Gap} seed {x.Seed}: {(adding ? "MSE" : "accuracy")} {x.Metric:F3} (chance {x.Chance:F3})")), control: control);
            var metric = adding ? "MSE" : "accuracy";
            var table = new Table().AddColumns(["cell", "init", .. options.Gaps.Select(g => adding ? $"T {g}" : $"gap {g}")]);
            var groups = results.GroupBy(x => (x.Cell, x.Init)).ToList();
            foreach (var g in groups)
                table.AddRow([g.Key.Cell, g.Key.Init, .. options.Gaps.Select(gap => Summary(g.Where(x => x.Gap == gap).Select(x => x.Metric).ToArray()))]);
            console.Write(table);
            console.MarkupLine($"{metric} as mean ± spread (min–max half-range) over {options.Seeds} seeds; chance: {results[0].Chance:F3}");
            var chart = results.Chart(adding ? $"adding: {metric} vs sequence length T" : $"recall ({options.Placement}): {metric} vs gap", metric);
            RunOutput.Write(console, r.GetValue(output)!, new { options.Task, options.Placement, Results = results }, chart, "long-memory");
            return 0;
        });
        return command;
    }

    private static GateInit ParseInit(string s) => s.ToLowerInvariant() switch
    {
        "default" or "pytorch" => GateInit.Default, "forget1" => GateInit.Forget1, "chrono" => GateInit.Chrono,
        _ => throw new ArgumentException($"--init: unknown initialisation '{s}' (default, forget1, chrono)"),
    };

    private static string Summary(double[] values) =>
        values.Length == 0 ? "" : $"{values.Average():F3} ± {(values.Max() - values.Min()) / 2:F3}";

    private static Command Classify(IAnsiConsole console, CancellationToken cancellation)
    {
        var csv = Required("--csv", "a CSV file: a text column and a label column (e.g. data/surnames_by_language.csv)");
        var textColumn = Opt("--text-column", "the text column (default: the column with the longest texts, other than the label)", "");
        var labelColumn = Opt("--label-column", "the label column (default: the column with the fewest distinct values, at least two)", "");
        var cell = CellOption("lstm");
        var hidden = Int("--hidden", "hidden units", 64);
        var epochs = Int("--epochs", "training epochs", 10);
        var dropout = NumberOptions.Real("--dropout", "dropout probability on the embedded characters and the final h in training (none in validation and testing)", 0, 0, 1, inclusiveLow: true);
        var recurrent = RecurrentDropoutOptions.Create("validation and testing");
        var init = InitOption("forget1");
        var output = Opt("--out", "folder for results.json and chart.html", Path.Combine("runs", "classify"));
        var onnx = OnnxOutOption("the trained classifier (ids, sequence_lens → logits, probabilities; labels and vocabulary in its metadata)");
        var (seed, threads, resume) = (Seed(), Threads(), ResumeOptions.Create());
        var command = new Command("classify", "Classify character sequences (e.g. surname → language); prints accuracy and a confusion matrix.")
            { csv, textColumn, labelColumn, cell, hidden, epochs, init, dropout, recurrent.Variational, recurrent.Zoneout, output, onnx, seed, threads, resume.Resume, resume.Every };
        command.SetAction(r =>
        {
            var paths = new CliPaths().Input("--csv", r.GetValue(csv)!, "CSV file").OutputFolder("--out", r.GetValue(output)!, RunOutput.Files);
            if (r.GetValue(onnx) is { Length: > 0 } onnxPath) paths.OutputFile("--onnx", onnxPath);
            ApplyThreads(r.GetValue(threads));
            var options = new ClassifierOptions
            {
                TextColumn = r.GetValue(textColumn)!, LabelColumn = r.GetValue(labelColumn)!, Cell = CellKinds.Parse(r.GetValue(cell)!),
                Hidden = r.GetValue(hidden), Epochs = r.GetValue(epochs), Seed = r.GetValue(seed), Dropout = r.GetValue(dropout),
                VariationalDropout = r.GetValue(recurrent.Variational), Zoneout = r.GetValue(recurrent.Zoneout), Init = Init(r.GetValue(init)),
            };
            if (r.GetValue(onnx) is { Length: > 0 }) ClassifierOnnx.Check(options);   // refuse before training what the export would refuse after it
            var control = resume.Control(r, r.GetValue(output)!, cancellation);
            var report = ProgressView.Run(console, "classify", "sequences", p => SequenceClassification.Run(r.GetValue(csv)!, options, p, control));
            console.MarkupLine(Markup.Escape($"columns: text '{report.Columns.Text}', label '{report.Columns.Label}' ({report.Columns.Why}; override with --text-column/--label-column)"));
            console.MarkupLine($"test accuracy [bold]{report.Accuracy:P1}[/] on {report.TestSize} held-out rows (majority class '{Markup.Escape(report.MajorityLabel)}': {report.MajorityAccuracy:P1})");
            var table = new Table().AddColumns(["true \\ predicted", .. report.Labels.Select(l => Markup.Escape(l.Length > 4 ? l[..4] : l))]);
            for (int i = 0; i < report.Labels.Length; i++) table.AddRow([Markup.Escape(report.Labels[i]), .. report.Confusion[i].Select(c => c.ToString())]);
            console.Write(table);
            RunOutput.Write(console, r.GetValue(output)!, report, report.Chart(), "classify");
            if (r.GetValue(onnx) is { Length: > 0 } to) WriteOnnx(console, ClassifierOnnx.Export(report.Model!), to);
            return 0;
        });
        return command;
    }

    private static Command GradCheckCommand(IAnsiConsole console)
    {
        var seed = Seed();
        var command = new Command("gradcheck", "Verify the gradient of every op and cell against finite differences.") { seed };
        command.SetAction(r =>
        {
            var entries = GradCheckSuite.Run(r.GetValue(seed));
            // One row per registry case, narrow enough for an 80-column terminal (a wrapped name would split a row).
            var table = new Table().AddColumns("check", "kind", "result", "max abs err", "max rel err");
            static string Error(double e) => e.ToString("0.0E+00", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var e in entries)
                table.AddRow(Markup.Escape(e.Name), e.Kind, e.Result.Passed ? "[green]passed[/]" : "[red]FAILED[/]",
                    Error(e.Result.Worst.AbsoluteError), Error(e.Result.Worst.RelativeError));
            console.Write(table);
            int failed = entries.Count(e => !e.Result.Passed);
            console.MarkupLine($"{entries.Count - failed} of {entries.Count} gradient checks passed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
