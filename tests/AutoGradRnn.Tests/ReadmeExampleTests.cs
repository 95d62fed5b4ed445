using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>The README's C# example, verbatim in substance, so the README cannot rot.</summary>
public class ReadmeExampleTests
{
    private sealed record Layer(Tensor<double> W, Tensor<double> B);

    [Fact]
    public void The_readme_csharp_example_runs_and_its_gradients_check()
    {
        var layer = new Layer(Tensor.RandomNormal<double>(new Shape(3, 2), seed: 1), Tensor.Zeros<double>(2));
        var x = Tensor.FromRows([1.0, 2.0, 3.0], [0.5, -1.0, 0.0]);

        Tensor<double> Loss(Layer p) => Mean(Square(Tanh(MatMul(x, p.W) + p.B)));

        var (loss, grads) = Autodiff.ValueAndGrad((Layer p) => Loss(p))(layer);
        var report = GradCheck.Check((Layer p) => Loss(p), layer);

        Assert.True(report.Passed, report.Report);
        Assert.Equal(layer.W.Shape, grads.W.Shape);
        Assert.True(loss.ToScalar() > 0);
    }
}

public class ReadmeLstmExampleTests
{
    [Fact]
    public void The_readme_lstm_example_runs()
    {
        var lstm = Lstm<float>.Create(inputSize: 3, hiddenSize: 8, seed: 1);
        var x = Tensor.RandomNormal<float>(new Shape(4, 10, 3), seed: 2);
        var target = Tensor.Zeros<float>(4, 8);

        Tensor<float> Loss(Lstm<float> cell) =>
            MeanSquaredError(Sequence.Unroll(cell, x).Final.H, target);

        var (loss, grads) = Autodiff.ValueAndGrad((Lstm<float> c) => Loss(c))(lstm);
        Assert.Equal(lstm.Wf.Shape, grads.Wf.Shape);
        Assert.True(loss.ToScalar() > 0);
        Assert.True(grads.Wf.IsFinite());
    }
}

public class ReadmeTrainingExampleTests
{
    private sealed record CharLm(Embedding<float> Embed, Lstm<float> Cell, Linear<float> Head);

    [Fact]
    public void The_readme_training_loop_learns_and_checkpoints()
    {
        var text = string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 200));
        var vocab = text.Distinct().Order().ToArray();
        var ids = text.Select(c => Array.IndexOf(vocab, c)).ToArray();
        var (_, batches) = StreamBatching.Tokens(ids, streams: 8, steps: 16);      // truncated BPTT layout
        var model = new CharLm(Embedding<float>.Create(vocab.Length, 8, seed: 1), Lstm<float>.Create(8, 32, seed: 2), Linear<float>.Create(32, vocab.Length, seed: 3));

        (Tensor<float>, LstmState<float>) Loss(CharLm m, LstmState<float> state, TokenBatch b)
        {
            var r = Sequence.Unroll(m.Cell, m.Embed.Apply(b.Inputs, b.Streams, b.Steps), state);
            return (CrossEntropy(m.Head.Apply(r.Outputs), b.Targets), r.Final);      // per-step cross-entropy
        }

        var printed = new List<string>();
        var result = Trainer<float>.FitCarried(model, new Adam<float>(0.01), Loss, m => m.Cell.InitialState(8), batches, [],
            new TrainerOptions { Epochs = 6, ClipNorm = 5 },
            new ProgressCallback<TrainingProgress>(p => printed.Add($"step {p.Step}: loss {p.Loss:F3}, {p.ItemsPerSecond:F0} chars/s")));
        using var dir = new TempDir();
        Checkpoint<float>.Save(dir.File("charlm.safetensors"), result.Parameters, result.OptimizerState);

        Assert.Equal(result.StepLosses.Count, printed.Count);
        Assert.True(result.StepLosses[0] > 2.0, $"first loss {result.StepLosses[0]}");
        Assert.True(result.StepLosses[^1] < 0.3, $"last loss {result.StepLosses[^1]}: the repeated sentence is learnable");
    }
}
