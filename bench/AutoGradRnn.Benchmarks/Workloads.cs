using AutoGradRnn;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Benchmarks;

/// <summary>A recurrent benchmark shape: batch, time, input and hidden size.</summary>
public readonly record struct RnnShape(int B, int T, int D, int H)
{
    public override string ToString() => $"({B},{T},{D},{H})";

    /// <summary>The shapes: char-LM, series, tiny.</summary>
    public static readonly RnnShape[] All =
    [
        new(32, 64, 65, 128), new(32, 64, 65, 256), new(64, 100, 65, 512),
        new(64, 48, 1, 64), new(32, 168, 4, 32), new(1, 32, 8, 16),
    ];

    /// <summary>Gate blocks per cell: LSTM (and its peephole and layer-norm variants) 4, GRU 3, RNN 1.</summary>
    public static int Gates(string cell) => cell switch
    {
        "lstm" or "peephole" or "lnlstm" => 4, "gru" => 3, "rnn" => 1, _ => throw new ArgumentException($"unknown cell {cell}"),
    };

    /// <summary>The standard count: 2·B·(D+H)·G·H per step, T steps; ×3 for forward+backward.</summary>
    public double Flops(string cell, bool backward) => 2.0 * B * (D + H) * Gates(cell) * H * T * (backward ? 3 : 1);
}

/// <summary>
/// One benchmark workload: a cell (PyTorch's LSTM, GRU = reset-after form, RNN, the diagonal peephole LSTM or the
/// layer-norm LSTM) and its inputs, in float32; <c>composed</c> runs the per-step path instead of the fused kernel.
/// </summary>
public sealed class CellWorkload
{
    private readonly Func<bool, float> run;

    public CellWorkload(string cell, RnnShape s, long seed = 1, bool composed = false)
    {
        var x = Tensor.RandomNormal<float>(new Shape(s.B, s.T, s.D), seed);
        run = cell switch
        {
            "lstm" => Runner<Lstm<float>, LstmState<float>>(Lstm<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, composed),
            "gru" => Runner<GruResetAfter<float>, RnnState<float>>(GruResetAfter<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, composed),
            "rnn" => Runner<Rnn<float>, RnnState<float>>(Rnn<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, composed),
            "peephole" => Runner<PeepholeLstm<float>, LstmState<float>>(PeepholeLstm<float>.Create(s.D, s.H, seed + 1, diagonal: true, CellInit.PyTorch), x, composed),
            "lnlstm" => Runner<LayerNormLstm<float>, LstmState<float>>(LayerNormLstm<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), x, composed),
            _ => throw new ArgumentException($"unknown cell {cell}"),
        };
    }

    private static Func<bool, float> Runner<TCell, TState>(TCell c, Tensor<float> x, bool composed) where TCell : IRecurrentCell<TState, float>
    {
        SequenceResult<TState, float> Unroll(TCell p) =>
            composed ? Sequence.UnrollComposed(p, x, p.InitialState(x.Shape[0])) : Sequence.Unroll(p, x);
        return bw => bw
            ? Autodiff.ValueAndGrad((TCell p) => Sum(Unroll(p).Outputs))(c).Value.ToScalar()
            : Unroll(c).Outputs[0, 0, 0];
    }

    /// <summary>Forward only (no tape) or forward + backward (gradients of the sum of all outputs w.r.t. every parameter).</summary>
    public float Run(bool backward) => run(backward);
}

/// <summary>The char-LM model of the training-step benchmark: embedding (V→D), LSTM (D→H), linear head (H→V).</summary>
public sealed record CharLm(Embedding<float> Embed, Lstm<float> Cell, Linear<float> Head);

/// <summary>One full training step: forward, cross-entropy over every position, backward, Adam update.</summary>
public sealed class TrainingWorkload
{
    private readonly RnnShape s;
    private readonly int[] inputs, targets;
    private readonly Adam<float> adam = new(1e-3);
    private CharLm model;
    private OptimizerState<float> state;

    public TrainingWorkload(RnnShape shape, int vocabulary = 65, long seed = 1)
    {
        s = shape;
        var rng = new Rng(seed);
        inputs = Enumerable.Range(0, s.B * s.T).Select(_ => rng.NextInt(vocabulary)).ToArray();
        targets = Enumerable.Range(0, s.B * s.T).Select(_ => rng.NextInt(vocabulary)).ToArray();
        model = new CharLm(Embedding<float>.Create(vocabulary, s.D, seed), Lstm<float>.Create(s.D, s.H, seed + 1, CellInit.PyTorch), Linear<float>.Create(s.H, vocabulary, seed + 2));
        state = adam.Init(model);
    }

    public float Step()
    {
        var (loss, grads) = Autodiff.ValueAndGrad((CharLm m) =>
            CrossEntropy(m.Head.Apply(Sequence.Unroll(m.Cell, m.Embed.Apply(inputs, s.B, s.T)).Outputs), targets))(model);
        (model, state) = adam.Update(model, grads, state);
        return loss.ToScalar();
    }
}
