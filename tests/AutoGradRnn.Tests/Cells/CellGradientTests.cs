using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Every cell, unrolled over a whole sequence into a scalar loss, gradchecked in float64 with respect to
/// its parameters, the initial state (the state-carrying path) and the inputs.
/// </summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class CellGradientTests
{
    /// <summary>A loss touching every output and every leaf of the final state, with random weights so nothing cancels.</summary>
    internal static Tensor<double> Loss<TState>(SequenceResult<TState, double> r, long seed)
    {
        var loss = Sum(r.Outputs * Tensor.RandomNormal<double>(r.Outputs.Shape, seed));
        foreach (var (leaf, k) in ParameterTree<double>.Leaves(r.Final!).Select((l, k) => (l, k)))
            loss += Sum(leaf * Tensor.RandomNormal<double>(leaf.Shape, seed + 1 + k));
        return loss;
    }

    internal static TState RandomState<TState>(IRecurrentCell<TState, double> cell, int batch, long seed) =>
        ParameterTree<double>.Map(cell.InitialState(batch), z => Tensor.RandomNormal<double>(z.Shape, seed++, std: 0.5));

    /// <summary>Gradchecks <paramref name="cell"/> unrolled over case <paramref name="c"/>'s inputs from a random state.</summary>
    private static void Check<TCell, TState>(CellCase c, TCell cell, bool masked = false)
        where TCell : IRecurrentCell<TState, double>
    {
        var mask = Sequence.MaskFromLengths<double>(c.Lengths, c.T);
        Props.GradOk(((TCell Cell, TState State, Tensor<double> X) p) =>
            Loss(masked ? Sequence.Unroll(p.Cell, p.X, p.State, mask) : Sequence.Unroll(p.Cell, p.X, p.State), c.Seed),
            (cell, RandomState(cell, c.B, c.Seed + 5), c.Inputs));
    }

    [Property(MaxTest = 12)] public void Rnn(CellCase c) => Check<Rnn<double>, RnnState<double>>(c, Rnn<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Lstm(CellCase c) => Check<Lstm<double>, LstmState<double>>(c, Lstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Peephole_lstm_full(CellCase c) => Check<PeepholeLstm<double>, LstmState<double>>(c, PeepholeLstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Peephole_lstm_diagonal(CellCase c) => Check<PeepholeLstm<double>, LstmState<double>>(c, PeepholeLstm<double>.Create(c.D, c.H, c.Seed, diagonal: true));
    [Property(MaxTest = 12)] public void Coupled_lstm(CellCase c) => Check<CoupledLstm<double>, LstmState<double>>(c, CoupledLstm<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Gru_essay_form(CellCase c) => Check<Gru<double>, RnnState<double>>(c, Gru<double>.Create(c.D, c.H, c.Seed));
    [Property(MaxTest = 12)] public void Gru_reset_after_form(CellCase c) => Check<GruResetAfter<double>, RnnState<double>>(c, GruResetAfter<double>.Create(c.D, c.H, c.Seed));

    [Property(MaxTest = 12)] public void Layer_norm_lstm(CellCase c) => Check<LayerNormLstm<double>, LstmState<double>>(c, LayerNormLstm<double>.Create(c.D, c.H, c.Seed) with
    {
        // random gains and shifts, so the gradient of every LN parameter is exercised away from 1 and 0
        GainH = Tensor.RandomNormal<double>(new Shape(4 * c.H), c.Seed + 21), BiasH = Tensor.RandomNormal<double>(new Shape(4 * c.H), c.Seed + 22),
        GainX = Tensor.RandomNormal<double>(new Shape(4 * c.H), c.Seed + 23), BiasX = Tensor.RandomNormal<double>(new Shape(4 * c.H), c.Seed + 24),
        GainC = Tensor.RandomNormal<double>(new Shape(c.H), c.Seed + 25), BiasC = Tensor.RandomNormal<double>(new Shape(c.H), c.Seed + 26),
    });
    [Property(MaxTest = 12)] public void Projection_lstm(CellCase c) => Check<ProjectionLstm<double>, LstmState<double>>(c, ProjectionLstm<double>.Create(c.D, c.H, 1 + (int)(c.Seed % 4), c.Seed));

    [Property(MaxTest = 8)]
    public void Depth_gated_lstm(CellCase c) => Check<DepthGatedLstm<double>, LstmState<double>[]>(c,
        DepthGatedLstm<double>.Create(c.D, c.H, layers: 1 + (int)(c.Seed % 3), c.Seed));

    [Property(MaxTest = 8)]
    public void Grid_lstm(CellCase c) => Check<GridLstm<double>, GridLstmState<double>>(c,
        GridLstm<double>.Create(c.D, c.H, layers: 1 + (int)(c.Seed % 3), c.Seed));

    [Property(MaxTest = 6)]
    public void Grid_lstm_standard_output_masked(CellCase c) => Check<GridLstm<double>, GridLstmState<double>>(c,
        GridLstm<double>.Create(c.D, c.H, layers: 2, c.Seed, output: GridLstmOutput.Standard), masked: true);

    [Property(MaxTest = 12)] public void Lstm_masked(CellCase c) => Check<Lstm<double>, LstmState<double>>(c, Lstm<double>.Create(c.D, c.H, c.Seed), masked: true);
    [Property(MaxTest = 12)] public void Gru_masked(CellCase c) => Check<GruResetAfter<double>, RnnState<double>>(c, GruResetAfter<double>.Create(c.D, c.H, c.Seed), masked: true);

    [Property(MaxTest = 8)]
    public void Stacked_lstm_layers(CellCase c) => Check<Stacked<LstmState<double>, double>, LstmState<double>[]>(c,
        Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(c.D, c.H, c.Seed), Lstm<double>.Create(c.H, 3, c.Seed + 1)));

    [Property(MaxTest = 8)]
    public void Bidirectional_with_masking(CellCase c)
    {
        var bi = new Bidirectional<LstmState<double>, double>(Lstm<double>.Create(c.D, c.H, c.Seed), Gru2Lstm(c));
        var mask = Sequence.MaskFromLengths<double>(c.Lengths, c.T);
        var r = Tensor.RandomNormal<double>(new Shape(c.B, c.T, c.H + 2), c.Seed);
        Props.GradOk(((Bidirectional<LstmState<double>, double> Net, Tensor<double> X) p) =>
        {
            var result = p.Net.Unroll(p.X, mask);
            return Sum(result.Outputs * r) + Sum(result.BackwardFinal.C) + Sum(result.ForwardFinal.H);
        }, (bi, c.Inputs));
    }

    // The backward direction may have another hidden size; here a peephole LSTM of size 2.
    private static IRecurrentCell<LstmState<double>, double> Gru2Lstm(CellCase c) => PeepholeLstm<double>.Create(c.D, 2, c.Seed + 3, diagonal: true);

    [Property]
    public void Linear_and_embedding_layers(CellCase c)
    {
        var linear = Linear<double>.Create(c.D, c.H, c.Seed);
        Props.GradOk(((Linear<double> L, Tensor<double> X) p) => p.L.Apply(p.X), (linear, c.Inputs));
        var embedding = Embedding<double>.Create(c.D + 1, c.H, c.Seed);
        var symbols = Enumerable.Range(0, c.B * c.T).Select(i => (int)((i + c.Seed) % (c.D + 1))).ToArray();
        Props.GradOk((Embedding<double> e) => e.Apply(symbols, c.B, c.T), embedding);
    }
}
