using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// One state check for every cell: a state with one leaf of the wrong batch or width is refused with a
/// <see cref="ShapeMismatchException"/> naming the cell, the leaf and both shapes, by a step, by the per-step unroll and by
/// <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState)"/> (fused where the cell has a
/// kernel) alike. The fault: LSTM-family cells checked h but not C, so a C₀ of <c>[1, H]</c> for a batch of 2 was broadcast.
/// </summary>
[Properties(Arbitrary = [typeof(StateCheckTests.Cases)])]
public class StateCheckTests
{
    /// <summary>A cell kind, a problem size, which state leaf to spoil, along which axis, and to which size (0: to 1, the broadcasting size; else grown by it).</summary>
    public sealed record BadState(string Kind, int B, int D, int H, int Leaf, int Axis, int Grow, long Seed)
    {
        public override string ToString() => $"{Kind} B {B} D {D} H {H} leaf #{Leaf} axis {Axis} grow {Grow} seed {Seed}";
    }

    /// <summary>Every cell kind with a state, built for (D, H), with the name its messages use.</summary>
    private static readonly (string Kind, string Name, Func<int, int, long, object> Make)[] Kinds =
    [
        ("lstm", "lstm", (d, h, s) => Lstm<double>.Create(d, h, s)),
        ("peephole (diagonal)", "peephole lstm", (d, h, s) => PeepholeLstm<double>.Create(d, h, s, diagonal: true)),
        ("peephole (full)", "peephole lstm", (d, h, s) => PeepholeLstm<double>.Create(d, h, s)),
        ("coupled", "coupled lstm", (d, h, s) => CoupledLstm<double>.Create(d, h, s)),
        ("gru", "gru", (d, h, s) => Gru<double>.Create(d, h, s)),
        ("gru reset after", "gru (reset after)", (d, h, s) => GruResetAfter<double>.Create(d, h, s)),
        ("rnn", "rnn", (d, h, s) => Rnn<double>.Create(d, h, s)),
        ("layer-norm", "layer-norm lstm", (d, h, s) => LayerNormLstm<double>.Create(d, h, s)),
        ("projection", "projection lstm", (d, h, s) => ProjectionLstm<double>.Create(d, h + 1, h, s)),
        ("clockwork", "clockwork rnn", (d, h, s) => ClockworkRnn<double>.Create(d, h, [1, 2], s)),
        ("depth-gated", "depth-gated lstm", (d, h, s) => DepthGatedLstm<double>.Create(d, h, 2, s)),
        ("grid", "grid lstm", (d, h, s) => GridLstm<double>.Create(d, h, 2, s)),
        ("stacked", "stacked", (d, h, s) => Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(d, h, s), Lstm<double>.Create(h, h + 1, s + 1))),
        ("stacked gru", "stacked", (d, h, s) => Stacked<RnnState<double>, double>.Of(Gru<double>.Create(d, h, s), Rnn<double>.Create(h, h, s + 1))),
    ];

    public static class Cases
    {
        public static Arbitrary<BadState> Arb() => FsCheck.Fluent.Arb.From(
            from k in Gen.Elements(Kinds.Select(k => k.Kind).ToArray())
            from b in Gen.Choose(1, 3) from d in Gen.Choose(1, 3) from h in Gen.Choose(1, 4)
            from leaf in Gen.Choose(0, 7) from axis in Gen.Choose(0, 1) from grow in Gen.Choose(0, 2) from s in Props.Seeds
            select new BadState(k, b, d, h, leaf, axis, grow, s));
    }

    [Property(MaxTest = 80)]
    public void A_state_leaf_of_the_wrong_batch_or_width_is_refused_by_step_and_every_unroll(BadState c)
    {
        var kind = Kinds.Single(k => k.Kind == c.Kind);
        var cell = kind.Make(c.D, c.H, c.Seed);
        // Dispatch on the cell's state type (the check is generic over it).
        typeof(StateCheckTests).GetMethod(nameof(Refused), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(StateType(cell)).Invoke(null, [cell, kind.Name, c]);
    }

    private static Type StateType(object cell) =>
        cell.GetType().GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRecurrentCell<,>)).GetGenericArguments()[0];

    private static void Refused<TState>(IRecurrentCell<TState, double> cell, string name, BadState c)
    {
        var zero = cell.InitialState(c.B);
        var leaves = ParameterTree<double>.Flatten(zero!);
        var leaf = leaves[c.Leaf % leaves.Count];
        int[] dims = leaf.Value.Shape.ToArray();
        int old = dims[c.Axis];
        dims[c.Axis] = c.Grow == 0 && old > 1 ? 1 : old + Math.Max(c.Grow, 1);
        var badShape = new Shape(dims);
        int i = 0;
        var bad = ParameterTree<double>.Map(zero, t => i++ == c.Leaf % leaves.Count ? Tensor.RandomNormal<double>(badShape, c.Seed) : t);
        var inputs = Tensor.RandomNormal<double>(new Shape(c.B, 3, c.D), c.Seed + 1);

        var message = $"{name} step: [{c.B},{c.D}] x {badShape}: state {leaf.Name} must be {leaf.Value.Shape} for this input";
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => cell.Step(bad, Tensor.RandomNormal<double>(new Shape(c.B, c.D), c.Seed))).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.UnrollComposed(cell, inputs, bad)).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, inputs, bad)).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, inputs, bad, Tensor.Ones<double>(c.B, 3))).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.UnrollCheckpointed(cell, inputs, bad, 2)).Message);
    }

    [Fact]
    public void The_reported_fault_a_broadcastable_c0_is_refused_on_both_paths()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var state = new LstmState<double>(Tensor.Zeros<double>(2, 4), Tensor.Zeros<double>(1, 4));
        const string message = "lstm step: [2,3] x [1,4]: state C must be [2,4] for this input";
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => lstm.Step(state, Tensor.Zeros<double>(2, 3))).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(lstm, Tensor.Zeros<double>(2, 5, 3), state)).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.UnrollComposed(lstm, Tensor.Zeros<double>(2, 5, 3), state)).Message);
    }

    [Fact]
    public void Missing_and_extra_leaves_and_wrong_layer_counts_are_shape_mismatches_too()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        Assert.Equal("lstm step: [2,3]: state C is missing; it must be [2,4] for this input",
            Assert.Throws<ShapeMismatchException>(() => lstm.Step(new LstmState<double>(Tensor.Zeros<double>(2, 4), null!), Tensor.Zeros<double>(2, 3))).Message);
        var stacked = Stacked<LstmState<double>, double>.Of(lstm, Lstm<double>.Create(4, 4, 2));
        Assert.Equal("stacked step: [2,3]: 1 layer states given for 2 layers",
            Assert.Throws<ShapeMismatchException>(() => stacked.Step([lstm.InitialState(2)], Tensor.Zeros<double>(2, 3))).Message);
        Assert.Equal("stacked step: [2,3]: 3 layer states given for 2 layers",
            Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(stacked, Tensor.Zeros<double>(2, 5, 3), [.. stacked.InitialState(2), lstm.InitialState(2)])).Message);
        Assert.Equal("stacked output: 0 layer states given for 2 layers", Assert.Throws<ShapeMismatchException>(() => stacked.Output([])).Message);
        var deep = DepthGatedLstm<double>.Create(3, 4, 2, 1);
        Assert.Equal("depth-gated lstm step: [2,3]: 1 layer states given for 2 layers",
            Assert.Throws<ShapeMismatchException>(() => deep.Step([deep.Bottom.InitialState(2)], Tensor.Zeros<double>(2, 3))).Message);
        Assert.Equal("depth-gated lstm output: 0 layer states given for 2 layers", Assert.Throws<ShapeMismatchException>(() => deep.Output([])).Message);
        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        Assert.Equal("grid lstm step: [2,3]: 1 layer states given for 2 layers",
            Assert.Throws<ShapeMismatchException>(() => grid.Step(grid.InitialState(2) with { Time = [grid.InitialState(2).Time[0]] }, Tensor.Zeros<double>(2, 3))).Message);
        Assert.Equal("gru step: [0,3]: the batch is empty",
            Assert.Throws<ShapeMismatchException>(() => Gru<double>.Create(3, 4, 1).Step(new RnnState<double>(Tensor.Zeros<double>(0, 4)), Tensor.Zeros<double>(0, 3))).Message);
    }

    [Fact]
    public void A_bidirectional_unroll_refuses_a_bad_state_of_either_direction()
    {
        var bi = new Bidirectional<LstmState<double>, double>(Lstm<double>.Create(3, 4, 1), Lstm<double>.Create(3, 4, 2));
        var good = bi.Forward.InitialState(2);
        var bad = good with { C = Tensor.Zeros<double>(1, 4) };
        var x = Tensor.Zeros<double>(2, 5, 3);
        var mask = Tensor.Ones<double>(2, 5);
        Assert.Contains("state C must be [2,4]", Assert.Throws<ShapeMismatchException>(() => bi.Unroll(x, bad, good, mask)).Message);
        Assert.Contains("state C must be [2,4]", Assert.Throws<ShapeMismatchException>(() => bi.Unroll(x, good, bad, mask)).Message);
    }

    /// <summary>A cell from outside the library (here: this test assembly) gets the same check from the unroll, which it never made itself.</summary>
    private sealed record ForeignCell(Rnn<double> Inner) : IRecurrentCell<LstmState<double>, double>
    {
        public int InputSize => Inner.InputSize;
        public int OutputSize => Inner.OutputSize;
        public LstmState<double> InitialState(int batchSize) => new(Tensor.Zeros<double>(batchSize, OutputSize), Tensor.Zeros<double>(batchSize, OutputSize));
        public LstmState<double> Step(LstmState<double> state, Tensor<double> input) =>
            new(Inner.Step(new RnnState<double>(state.H), input).H, state.C + 1.0);   // C alone would broadcast silently
        public Tensor<double> Output(LstmState<double> state) => state.H;
    }

    [Fact]
    public void A_foreign_cell_is_held_to_the_same_state_check_by_every_unroll()
    {
        var cell = new ForeignCell(Rnn<double>.Create(3, 4, 1));
        var bad = new LstmState<double>(Tensor.Zeros<double>(2, 4), Tensor.Zeros<double>(1, 4));
        var x = Tensor.Zeros<double>(2, 5, 3);
        const string message = "ForeignCell step: [2,3] x [1,4]: state C must be [2,4] for this input";
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, x, bad)).Message);
        Assert.Equal(message, Assert.Throws<ShapeMismatchException>(() => Sequence.UnrollCheckpointed(cell, x, bad, 2)).Message);
        Assert.Equal(new Shape(2, 4), Sequence.Unroll(cell, x, cell.InitialState(2)).Final.C.Shape);
    }
}
