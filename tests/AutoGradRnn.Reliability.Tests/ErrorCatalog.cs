using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using AutoGradRnn.Notebooks;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>One bad input: what it is, what it does, and the exception type it must get (null: a CLI run that must exit 2).</summary>
public sealed record ErrorCase(string Id, string Area, string Input, Type? Exception, Action<TempDir> Act);

/// <summary>
/// The catalogue behind docs/errors.md. Each case runs for real; <see cref="ErrorCatalogTests"/> asserts it throws exactly
/// the documented type with exactly the documented message (temporary paths written as &lt;tmp&gt;).
/// </summary>
public static partial class ErrorCatalog
{
    private static readonly Tensor<double> M23 = Tensor.Zeros<double>(2, 3);

    private static string Checkpoint(TempDir dir, string header, int dataBytes, long? claimed = null)
    {
        var path = dir.File("bad.safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(claimed ?? json.Length));
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Write(TempDir dir, string name, string text)
    {
        var path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void Cli(params string[] args)
    {
        var (exit, err) = Repo.RunCli(args);
        throw new CliExit(exit, err);
    }

    private sealed record Model(Lstm<float> Cell);

    /// <summary>Every case, in document order: the first round, then each area of the second (one file each).</summary>
    public static IReadOnlyList<ErrorCase> Cases => [.. FirstRound, .. ResumeCases, .. CliCases, .. DataCases, .. LibraryCases, .. PyTorchCases, .. ForecastCases, .. OnnxCases];

    private static IReadOnlyList<ErrorCase> FirstRound { get; } =
    [
        // ---- tensors and ops
        new("E01", "ops", "matmul with inner dimensions that differ", typeof(ShapeMismatchException), _ => MatMul(Tensor.Zeros<float>(32, 65), Tensor.Zeros<float>(64, 256))),
        new("E02", "ops", "matmul with a vector as right operand", typeof(ShapeMismatchException), _ => MatMul(M23, Tensor.Zeros<double>(3))),
        new("E03", "ops", "elementwise op on shapes that do not broadcast", typeof(ShapeMismatchException), _ => { var sum = M23 + Tensor.Zeros<double>(2); }),
        new("E04", "ops", "concat of tensors differing off the join axis", typeof(ShapeMismatchException), _ => Concat(M23, Tensor.Zeros<double>(3, 3))),
        new("E05", "ops", "slice past the end of the axis", typeof(ArgumentOutOfRangeException), _ => Slice(M23, 2, 2)),
        new("E06", "ops", "reshape to a different element count", typeof(ShapeMismatchException), _ => M23.Reshape(4, 2)),
        new("E07", "ops", "split sizes that do not add up", typeof(ShapeMismatchException), _ => Split(M23, [1, 1])),
        new("E08", "ops", "stack of tensors with different shapes", typeof(ShapeMismatchException), _ => Stack([M23, Tensor.Zeros<double>(3, 2)])),
        new("E09", "ops", "reduction over an axis the tensor lacks", typeof(ArgumentOutOfRangeException), _ => Sum(M23, 2)),
        new("E10", "ops", "gather (embedding lookup) with an index past the table", typeof(ArgumentOutOfRangeException), _ => Gather(M23, [0, 5])),
        new("E11", "ops", "one-hot with a negative index", typeof(ArgumentOutOfRangeException), _ => Tensor.OneHot<float>([-1], 4)),
        new("E12", "ops", "mean of an empty tensor", typeof(ShapeMismatchException), _ => Mean(Tensor.Zeros<double>(0))),
        new("E13", "tensors", "a negative dimension", typeof(ArgumentOutOfRangeException), _ => Tensor.Zeros<float>(3, -1)),
        new("E14", "tensors", "an array that does not fill the shape", typeof(ShapeMismatchException), _ => Tensor.FromArray(new float[5], 2, 3)),
        new("E15", "tensors", "ragged rows", typeof(ShapeMismatchException), _ => Tensor.FromRows([1.0, 2.0], [3.0])),
        new("E16", "tensors", "a scalar asked of a tensor with several elements", typeof(ShapeMismatchException), _ => M23.ToScalar()),
        new("E17", "autodiff", "anomaly mode: log of a negative number", typeof(AnomalyException), _ => Log(new Tape<double>(detectAnomaly: true).Track(Tensor.FromArray([1.0, -1.0])))),
        new("E18", "autodiff", "grad of a function that returns a vector", typeof(ShapeMismatchException), _ => Autodiff.Grad((Tensor<double> x) => x * 2.0, M23)),
        new("E19", "autodiff", "gradcheck with eps ≤ 0", typeof(ArgumentOutOfRangeException), _ => GradCheck.Check((Tensor<double> x) => x, M23, new GradCheckOptions { Eps = 0 })),
        new("E20", "autodiff", "gradcheck at an input containing NaN", typeof(ArgumentException), _ => GradCheck.Check((Tensor<double> x) => x, Tensor.FromArray([double.NaN]))),
        // ---- losses
        new("E21", "losses", "MSE of [B,1] against [B] (no silent broadcasting)", typeof(ShapeMismatchException), _ => MeanSquaredError(Tensor.Zeros<float>(4, 1), Tensor.Zeros<float>(4))),
        new("E22", "losses", "cross-entropy with a target past the classes", typeof(ArgumentOutOfRangeException), _ => CrossEntropy(M23, [0, 3])),
        new("E23", "losses", "cross-entropy with the wrong number of targets", typeof(ShapeMismatchException), _ => CrossEntropy(M23, [0])),
        new("E24", "losses", "a loss mask of the wrong shape", typeof(ShapeMismatchException), _ => CrossEntropy(M23, [0, 1], Tensor.Ones<double>(3))),
        new("E25", "losses", "a loss mask that selects nothing", typeof(ArgumentException), _ => CrossEntropy(M23, [0, 1], Tensor.Zeros<double>(2))),
        // ---- cells and sequences
        new("E26", "cells", "hidden size 0", typeof(ArgumentOutOfRangeException), _ => Lstm<float>.Create(3, 0, 1)),
        new("E27", "cells", "a step input with the wrong feature count", typeof(ShapeMismatchException), _ => Lstm<float>.Create(3, 4, 1).Step(Lstm<float>.Create(3, 4, 1).InitialState(2), Tensor.Zeros<float>(2, 5))),
        new("E28", "cells", "a zero-length sequence", typeof(ShapeMismatchException), _ => Sequence.Unroll(Gru<float>.Create(3, 4, 1), Tensor.Zeros<float>(2, 0, 3))),
        new("E29", "cells", "an empty batch", typeof(ShapeMismatchException), _ => Sequence.Unroll(Gru<float>.Create(3, 4, 1), Tensor.Zeros<float>(0, 5, 3))),
        new("E30", "cells", "a padding mask of the wrong shape", typeof(ShapeMismatchException), _ => Sequence.Unroll(Rnn<float>.Create(3, 4, 1), Tensor.Zeros<float>(2, 5, 3), Rnn<float>.Create(3, 4, 1).InitialState(2), Tensor.Ones<float>(2, 4))),
        new("E31", "cells", "stacked layers whose sizes do not chain", typeof(ShapeMismatchException), _ => Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(5, 4, 1))),
        new("E32", "cells", "PyTorch LSTM weights of the wrong shape", typeof(ShapeMismatchException), _ => PyTorchWeights.ToLstm(new PyTorchRnnWeights<float>(Tensor.Zeros<float>(16, 3), Tensor.Zeros<float>(16, 5), Tensor.Zeros<float>(16), Tensor.Zeros<float>(16)))),
        // ---- training
        new("E33", "training", "learning rate 0", typeof(ArgumentOutOfRangeException), _ => new Adam<float>(0.0)),
        new("E34", "training", "a non-finite learning rate", typeof(ArgumentOutOfRangeException), _ => new Sgd<float>(double.PositiveInfinity)),
        new("E35", "training", "momentum 1", typeof(ArgumentOutOfRangeException), _ => new Sgd<float>(0.1, momentum: 1)),
        new("E36", "training", "gradients shaped unlike the parameters (mismatched records)", typeof(ShapeMismatchException), _ => new Adam<float>(0.1).Update(new Model(Lstm<float>.Create(3, 4, 1)), new Model(Lstm<float>.Create(3, 5, 1)), new Adam<float>(0.1).Init(new Model(Lstm<float>.Create(3, 4, 1))))),
        new("E37", "training", "trainer with 0 epochs", typeof(ArgumentOutOfRangeException), _ => Trainer<float>.Fit(Tensor.Zeros<float>(1), new Sgd<float>(0.1), (p, b) => Sum(p), new[] { new Dummy() }, [], new TrainerOptions { Epochs = 0 })),
        new("E38", "training", "a loss that becomes NaN", typeof(TrainingDivergedException), _ => Trainer<double>.Fit(Tensor.FromArray([1.0]), new Sgd<double>(0.1), (p, b) => Sum(Log(p - 2.0)), new[] { new Dummy() }, [], new TrainerOptions())),
        new("E39", "training", "a stream too short for the batch layout", typeof(ArgumentException), _ => StreamBatching.Tokens(new int[20], 4, 8)),
        // ---- checkpoints
        new("E40", "checkpoints", "a truncated file (3 bytes)", typeof(CheckpointException), d => { File.WriteAllBytes(d.File("t.safetensors"), [1, 2, 3]); SafeTensors.Load<float>(d.File("t.safetensors")); }),
        new("E41", "checkpoints", "a header length claiming 1 TB", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{}", 0, 1L << 40))),
        new("E42", "checkpoints", "a header length past the end of the file", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{}", 0, 500))),
        new("E43", "checkpoints", "a garbled JSON header", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{\"a\": {\"dtype\" \"F32\"}}", 0))),
        new("E44", "checkpoints", "overlapping tensor offsets", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))),
        new("E45", "checkpoints", "a header claiming a huge tensor", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,8]}}", 8))),
        new("E46", "checkpoints", "a tensor whose bytes do not match dtype × shape", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))),
        new("E47", "checkpoints", "a dtype this library does not read (F16)", typeof(CheckpointException), d => SafeTensors.Load<float>(Checkpoint(d, "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4))),
        new("E48", "checkpoints", "a float32 file loaded as float64", typeof(CheckpointException), d => { Checkpoint<float>.Save(d.File("m.safetensors"), Lstm<float>.Create(3, 4, 1)); Checkpoint<double>.Load(d.File("m.safetensors"), Lstm<double>.Create(3, 4, 1)); }),
        new("E49", "checkpoints", "a checkpoint of another model size", typeof(CheckpointException), d => { Checkpoint<float>.Save(d.File("m.safetensors"), Lstm<float>.Create(3, 4, 1)); Checkpoint<float>.Load(d.File("m.safetensors"), Lstm<float>.Create(3, 8, 1)); }),
        new("E50", "checkpoints", "a checkpoint of another model type", typeof(CheckpointException), d => { Checkpoint<float>.Save(d.File("m.safetensors"), Lstm<float>.Create(3, 4, 1)); Checkpoint<float>.Load(d.File("m.safetensors"), Rnn<float>.Create(3, 4, 1)); }),
        new("E51", "checkpoints", "a file that does not exist", typeof(FileNotFoundException), d => SafeTensors.Load<float>(d.File("missing.safetensors"))),
        // ---- data loaders
        new("E52", "data", "a CSV with a missing value", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n1,2\n2,\n")).Numbers("v")),
        new("E53", "data", "a CSV with a non-numeric value", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n1,2\n2,high\n")).Numbers("v")),
        new("E54", "data", "a CSV with a header and no rows", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n"))),
        new("E55", "data", "a CSV row with too few fields", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n1,2\n3\n"))),
        new("E56", "data", "a CSV without the requested column", typeof(DataFormatException), d => CsvTable.Load(Write(d, "m.csv", "t,v\n1,2\n")).Numbers("demand")),
        new("E57", "data", "an empty text file", typeof(DataFormatException), d => TextCorpus.Load(Write(d, "e.txt", ""))),
        new("E58", "data", "a text file that is not UTF-8 (Latin-1)", typeof(DataFormatException), d => { File.WriteAllBytes(d.File("l.txt"), [0x4E, 0x61, 0xEF, 0x76, 0x65]); TextCorpus.Load(d.File("l.txt")); }),
        new("E59", "data", "an unknown character when sampling or encoding", typeof(ArgumentException), _ => CharVocabulary.FromText("abc").Encode("cab!")),
        new("E60", "data", "a time series whose spacing gives no seasonal period", typeof(DataFormatException), d => Forecasting.InferPeriods(CsvTable.Parse("time,v\n2020-01-01T00:00:00,1\n2020-01-01T00:07:00,2\n2020-01-01T00:14:00,3\n"), "", "odd.csv")),
        // ---- notebooks
        new("E61", "notebooks", "a notebook file that does not exist", typeof(FileNotFoundException), d => Notebook.Load(d.File("missing.ipynb"))),
        new("E62", "notebooks", "a notebook that is not nbformat 4", typeof(NotebookFormatException), d => Notebook.Load(Write(d, "old.ipynb", "{\"nbformat\": 3, \"nbformat_minor\": 0, \"metadata\": {}, \"cells\": []}"))),
        new("E63", "notebooks", "a cell that does not compile (names notebook, cell, line)", typeof(NotebookExecutionException), d =>
            NotebookRunner.Run(Notebook.Load(Write(d, "f.ipynb", new JsonObject { ["nbformat"] = 4, ["nbformat_minor"] = 5, ["metadata"] = new JsonObject(),
                ["cells"] = new JsonArray(new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = null, ["outputs"] = new JsonArray(), ["source"] = "var a = 1;\nvar b = a + undefinedName;" }) }.ToJsonString())), TimeSpan.FromSeconds(60))),
        // ---- command line (exit code 2, one line on stderr)
        new("E64", "cli", "autogradrnn train-char --text missing.txt", null, _ => Cli("train-char", "--text", "missing.txt")),
        new("E65", "cli", "autogradrnn train-char --text x.txt --cell lstn", null, _ => Cli("train-char", "--text", "x.txt", "--cell", "lstn")),
        new("E66", "cli", "autogradrnn classify --csv c.csv --hidden -5", null, d => Cli("classify", "--csv", Write(d, "c.csv", "name,label\nab,x\ncd,y\n"), "--hidden", "-5")),
        new("E67", "cli", "autogradrnn forecast --csv with a column that does not exist", null, d => Cli("forecast", "--csv", Write(d, "s.csv", "t,v\n1,2\n"), "--column", "load")),
        new("E68", "cli", "autogradrnn sample --checkpoint m --prime with unknown characters", null, d => { CharLanguageModel.Train("abcabcabcabc abcabc abc abcabcabc abcabcabcabcabcabc abcabc", new CharModelOptions { Hidden = 4, Steps = 1, Batch = 2, SequenceLength = 4 }, d.File("m.safetensors")); Cli("sample", "--checkpoint", d.File("m.safetensors"), "--prime", "xyz"); }),
        new("E69", "cli", "autogradrnn long-memory --gaps 0", null, _ => Cli("long-memory", "--gaps", "0")),
    ];

    private sealed record Dummy : ITrainingBatch { public int Items => 1; }
}

/// <summary>The outcome of a CLI row: its exit code and its stderr.</summary>
public sealed class CliExit(int code, string error) : Exception(error)
{
    public int Code { get; } = code;
}
