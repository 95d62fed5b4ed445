using System.Globalization;
using System.Security.Cryptography;
using AutoGradRnn;
using static AutoGradRnn.Ops;

// probe save-loop <path>      saves versions 1, 2, 3, … of a ~2 MB parameter record to <path>, printing each version once saved
// probe train <seed> <steps>  trains a small LSTM language model single-threaded and prints a SHA-256 of its losses and parameters
// probe memory <kind> <path>  loads and batches a text, CSV or checkpoint the way the commands do and prints the memory it took
switch (args)
{
    case ["save-loop", var path]:
        for (int version = 1; ; version++)
        {
            Checkpoint<float>.Save(path, Probe.Version(version), new Dictionary<string, string> { ["version"] = version.ToString(CultureInfo.InvariantCulture) });
            Console.WriteLine(version);
            Console.Out.Flush();
        }
    case ["train", var seedText, var stepsText]:
        Console.WriteLine(Probe.TrainDigest(long.Parse(seedText, CultureInfo.InvariantCulture), int.Parse(stepsText, CultureInfo.InvariantCulture)));
        return 0;
    case ["memory", var kind, var path]:
        Console.WriteLine(MemoryProbe.Measure(kind, path));
        return 0;
    default:
        Console.Error.WriteLine("usage: probe save-loop <path> | probe train <seed> <steps> | probe memory text|csv|checkpoint <path>");
        return 2;
}

public static class Probe
{
    public sealed record Weights(Tensor<float> A, Tensor<float> B);

    /// <summary>Version v: every element of A is v, every element of B is −v (so a torn file is detectable).</summary>
    public static Weights Version(int v) => new(Tensor.Fill((float)v, 512, 512), Tensor.Fill(-(float)v, 1000));

    public sealed record Lm(Embedding<float> Embed, Lstm<float> Cell, Linear<float> Head);

    public static string TrainDigest(long seed, int steps)
    {
        Parallelism.SetMaxThreads(1);
        var text = string.Concat(Enumerable.Repeat("It is a far, far better thing that I do, than I have ever done. ", 30));
        var vocabulary = CharVocabulary.FromText(text);
        var (_, batches) = StreamBatching.Tokens(vocabulary.Encode(text), 4, 16);
        var model = new Lm(Embedding<float>.Create(vocabulary.Size, 8, seed), Lstm<float>.Create(8, 16, seed + 1), Linear<float>.Create(16, vocabulary.Size, seed + 2));
        var result = Trainer<float>.FitCarried(model, new Adam<float>(0.01),
            (m, state, b) =>
            {
                var r = Sequence.Unroll(m.Cell, m.Embed.Apply(b.Inputs, b.Streams, b.Steps), state);
                return (CrossEntropy(m.Head.Apply(r.Outputs), b.Targets), r.Final);
            },
            m => m.Cell.InitialState(4), batches, [], new TrainerOptions { Epochs = 100, MaxSteps = steps, ClipNorm = 5 });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var l in result.StepLosses) sha.AppendData(BitConverter.GetBytes(l));
        foreach (var leaf in ParameterTree<float>.Leaves(result.Parameters))
            foreach (var v in leaf.AsSpan()) sha.AppendData(BitConverter.GetBytes(v));
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
