using System.Diagnostics;
using Xunit.Abstractions;

namespace AutoGradRnn.Tests;

/// <summary>
/// The attention model learns to reverse short symbol sequences through the library's <see cref="Trainer{T}"/>, and its
/// learned attention is anti-diagonal: output step t looks at input position L − 1 − t.
/// </summary>
public class AttentionTrainingTests(ITestOutputHelper output)
{
    private const int Vocabulary = 6;

    /// <summary>Random sources of length 5 or 6 over 6 symbols, each with its reversal as the target.</summary>
    internal static Seq2SeqBatch ReversalBatch(Rng rng, int batch)
    {
        var sources = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, 5 + rng.NextInt(2)).Select(_ => rng.NextInt(Vocabulary)).ToArray()).ToArray();
        return Seq2SeqBatch.Create(sources, [.. sources.Select(s => s.Reverse().ToArray())]);
    }

    [Fact]
    public void Learns_to_reverse_sequences_with_an_anti_diagonal_attention_map()
    {
        var clock = Stopwatch.StartNew();
        var rng = new Rng(7);
        var train = Enumerable.Range(0, 90).Select(_ => ReversalBatch(rng, 32)).ToArray();
        var model = AttentionSeq2Seq.Create<float>(Vocabulary, Vocabulary, embedding: 8, hidden: 16, attention: 16, seed: 3);
        var result = Trainer<float>.Fit(model, new Adam<float>(0.02), (m, b) => m.Loss(b), train, [],
            new TrainerOptions { Epochs = 6, ClipNorm = 5, Seed = 1 });
        var trained = result.Parameters;

        // Fresh test sequences, decoded greedily (the model reads its own previous outputs).
        var test = ReversalBatch(new Rng(99), 200);
        var decoded = trained.Greedy(test, test.TargetSteps);
        int correct = 0, total = 0, sequencesRight = 0, peaked = 0;
        double onDiagonal = 0;
        var (peakedAt, seenAt) = (new int[test.TargetSteps], new int[test.TargetSteps]);
        for (int b = 0; b < test.Batch; b++)
        {
            int length = test.TargetLengths[b];
            var row = decoded.Row(b);
            bool allRight = true;
            for (int t = 0; t < length; t++)
            {
                bool right = row[t] == test.Target[b * test.TargetSteps + t];
                correct += right ? 1 : 0;
                allRight &= right;
                total++;
                var alpha = Enumerable.Range(0, test.SourceSteps).Select(j => (double)decoded.Attention[b, t, j]).ToArray();
                int argmax = Array.IndexOf(alpha, alpha.Max());
                peaked += argmax == length - 1 - t ? 1 : 0;
                (peakedAt[t], seenAt[t]) = (peakedAt[t] + (argmax == length - 1 - t ? 1 : 0), seenAt[t] + 1);
                onDiagonal += alpha[length - 1 - t];
            }
            sequencesRight += allRight ? 1 : 0;
        }
        double accuracy = (double)correct / total, diagonal = (double)peaked / total, mass = onDiagonal / total;
        output.WriteLine($"{result.StepLosses.Count} steps: loss {result.StepLosses[0]:F3} → {result.StepLosses[^1]:F3}; " +
            $"token accuracy {accuracy:P1} (chance {1.0 / Vocabulary:P1}), whole sequences {sequencesRight}/{test.Batch}; " +
            $"attention argmax on the anti-diagonal {diagonal:P1}, mean weight there {mass:F2}; {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("argmax on the anti-diagonal by output step: " + string.Join(", ", peakedAt.Zip(seenAt, (p, n) => $"{(double)p / n:P0}")));
        Assert.True(accuracy > 0.9, $"token accuracy {accuracy:P1}");
        Assert.True(diagonal > 0.75, $"attention argmax on the anti-diagonal for only {diagonal:P1} of the steps");
        Assert.True(mass > 0.4, $"mean attention weight on the anti-diagonal {mass:F2}");
    }
}
