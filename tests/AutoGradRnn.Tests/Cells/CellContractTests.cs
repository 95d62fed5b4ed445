using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The exact contract of the cells and of the unroll around them: every refusal names the cell (or
/// <c>unroll</c>), the bad value and the parameter; a step names its first bad argument; a custom <see cref="CellInit"/>
/// is honoured by every <c>Create</c>; the orthogonal draw is PyTorch's (the Q of a QR with a positive diagonal R) and
/// touches only the recurrent block. Checks that read only part of a message leave the cell's or the op's name unverified.
/// </summary>
public class CellContractTests
{
    private static readonly Tensor<double> X = Tensor.Zeros<double>(2, 5, 3);

    /// <summary>
    /// Every cell, by the name its refusals use: its factory (input size, hidden size, init; null: the default), whether
    /// it takes a <see cref="CellInit"/>, and its zero state (batch) where it has one of its own.
    /// </summary>
    private static readonly Dictionary<string, (Func<int, int, CellInit?, object> Create, bool TakesInit, Func<int, object>? Zero)> Factories = new()
    {
        ["lstm"] = ((d, h, i) => Lstm<double>.Create(d, h, 1, i), true, b => Lstm<double>.Create(3, 4, 1).InitialState(b)),
        ["gru"] = ((d, h, i) => Gru<double>.Create(d, h, 1, i), true, b => Gru<double>.Create(3, 4, 1).InitialState(b)),
        ["rnn"] = ((d, h, i) => Rnn<double>.Create(d, h, 1, i), true, b => Rnn<double>.Create(3, 4, 1).InitialState(b)),
        ["coupled lstm"] = ((d, h, i) => CoupledLstm<double>.Create(d, h, 1, i), true, b => CoupledLstm<double>.Create(3, 4, 1).InitialState(b)),
        ["gru (reset after)"] = ((d, h, i) => GruResetAfter<double>.Create(d, h, 1, i), true, b => GruResetAfter<double>.Create(3, 4, 1).InitialState(b)),
        ["layer-norm lstm"] = ((d, h, i) => LayerNormLstm<double>.Create(d, h, 1, i), true, b => LayerNormLstm<double>.Create(3, 4, 1).InitialState(b)),
        ["peephole lstm"] = ((d, h, i) => PeepholeLstm<double>.Create(d, h, 1, init: i), true, b => PeepholeLstm<double>.Create(3, 4, 1).InitialState(b)),
        ["projection lstm"] = ((d, h, i) => ProjectionLstm<double>.Create(d, h, 2, 1, i), true, b => ProjectionLstm<double>.Create(3, 4, 2, 1).InitialState(b)),
        ["grid lstm"] = ((d, h, i) => GridLstm<double>.Create(d, h, 2, 1, i), true, b => GridLstm<double>.Create(3, 4, 2, 1).InitialState(b)),
        ["depth-gated lstm"] = ((d, h, i) => DepthGatedLstm<double>.Create(d, h, 2, 1, i), true, null),
        ["depth-gated lstm layer"] = ((d, h, i) => DepthGatedLstmLayer<double>.Create(d, h, 1, i), true, null),
        ["clockwork rnn"] = ((d, h, _) => ClockworkRnn<double>.Create(d, 4, [1, 2], 1), false, b => ClockworkRnn<double>.Create(3, 4, [1, 2], 1).InitialState(b)),
    };

    public static TheoryData<string> CellsWithInit => [.. Factories.Where(f => f.Value.TakesInit).Select(f => f.Key)];

    [Theory]
    [MemberData(nameof(CellsWithInit))]
    public void Every_cell_draws_its_parameters_with_the_init_it_is_given(string cell)
    {
        double[] Drawn(CellInit? init) => [.. ParameterTree<double>.Leaves(Factories[cell].Create(3, 4, init)).SelectMany(l => l.ToArray())];
        Assert.Equal(Drawn(null), Drawn(new CellInit()));                                    // null is the default
        Assert.NotEqual(Drawn(null), Drawn(new CellInit { Weights = WeightInit.GlorotUniform }));
        Assert.NotEqual(Drawn(null), Drawn(new CellInit { OrthogonalRecurrent = true }));
    }

    public static TheoryData<string> Cells => [.. Factories.Keys];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Create_and_InitialState_name_the_cell_the_size_and_the_parameter(string cell)
    {
        var (create, _, zero) = Factories[cell];
        string Refusal(Action act) => Assert.Throws<ArgumentOutOfRangeException>(act).Message;
        if (cell != "clockwork rnn")   // its sizes are per module, checked by ClockworkBoundaryTests
        {
            Assert.Equal($"{cell}: input size 0 must be positive (Parameter 'inputSize')", Refusal(() => create(0, 4, null)));
            Assert.Equal($"{cell}: input size -2 must be positive (Parameter 'inputSize')", Refusal(() => create(-2, 4, null)));
            Assert.Equal($"{cell}: hidden size 0 must be positive (Parameter 'hiddenSize')", Refusal(() => create(3, 0, null)));
            Assert.Equal($"{cell}: hidden size -1 must be positive (Parameter 'hiddenSize')", Refusal(() => create(3, -1, null)));
        }
        if (zero is null) return;
        Assert.Equal($"{cell}: batch size 0 must be positive (Parameter 'batchSize')", Refusal(() => zero(0)));
        Assert.Equal($"{cell}: batch size -3 must be positive (Parameter 'batchSize')", Refusal(() => zero(-3)));
    }

    [Fact]
    public void A_step_names_its_first_bad_argument()
    {
        static void Check<TState>(IRecurrentCell<TState, double> cell, string name)
        {
            Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => cell.Step(default!, null!)).ParamName);
            Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => cell.Step(default!, Tensor.Zeros<double>(2, 7))).ParamName);
            Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => cell.Step(cell.InitialState(2), null!)).ParamName);
            Assert.Equal($"{name} step: [2,7]: input must be [batch, 3]",
                Assert.Throws<ShapeMismatchException>(() => cell.Step(cell.InitialState(2), Tensor.Zeros<double>(2, 7))).Message);
        }
        Check(Lstm<double>.Create(3, 4, 1), "lstm");
        Check(Gru<double>.Create(3, 4, 1), "gru");
        Check(Rnn<double>.Create(3, 4, 1), "rnn");
    }

    [Fact]
    public void Every_essay_cell_honours_a_custom_init()
    {
        var glorot = new CellInit { Weights = WeightInit.GlorotUniform };   // Glorot's biases are 0; the default draws them
        var gru = Gru<double>.Create(3, 4, 1, glorot);
        var lstm = Lstm<double>.Create(3, 4, 1, glorot);
        Assert.All(new[] { gru.Bz, gru.Br, gru.B, Rnn<double>.Create(3, 4, 1, glorot).B, lstm.Bi, lstm.Bc, lstm.Bo }.SelectMany(b => b.ToArray()),
            v => Assert.Equal(0.0, v));
        var plain = Gru<double>.Create(3, 4, 1);
        Assert.All(new[] { plain.Bz, plain.B, Rnn<double>.Create(3, 4, 1).B, Lstm<double>.Create(3, 4, 1).Bi }.SelectMany(b => b.ToArray()),
            v => Assert.NotEqual(0.0, v));
    }

    [Theory]
    [InlineData(5, 8)]
    [InlineData(8, 8)]
    [InlineData(12, 8)]
    public void Orthogonal_init_draws_only_the_recurrent_block_orthogonal(int d, int h)
    {
        var cell = Lstm<double>.Create(d, h, 3, CellInit.Keras);
        foreach (var w in new[] { cell.Wf, cell.Wi, cell.Wc, cell.Wo })
        {
            InitBlocksTests.Recurrent(Slice(w, 0, h, 0), "the recurrent block of a gate");
            InitBlocksTests.NotRecurrent(Slice(w, h, d, 0), "the input block of a gate");   // a block cut from an orthogonal one has orthonormal rows or columns
        }
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(4, 11)]
    [InlineData(9, 12)]
    [InlineData(16, 13)]
    public void The_orthogonal_draw_is_the_Q_of_a_Gaussian_matrix_with_a_positive_diagonal_R(int n, long seed)
    {
        var rng = new Rng(seed);
        var a = Tensor.FromArray(Enumerable.Range(0, n * n).Select(_ => rng.NextNormal()).ToArray(), n, n);   // the same draws, row by row
        var q = CellInit.Orthogonal<double>(new Rng(seed), n);
        var r = MatMul(q, a, transposeA: true).ToArray();                                                        // A = QR, so R = QᵀA
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i > j) Assert.InRange(r[i * n + j], -1e-9, 1e-9);
                else if (i == j) Assert.True(r[i * n + j] > 0, $"R[{i},{i}] = {r[i * n + j]} is not positive (PyTorch's sign convention)");
        TensorAssert.Close(a, MatMul(q, Tensor.FromArray(r, n, n)), 1e-9, 1e-9);
    }

    [Fact]
    public void An_unroll_names_its_bad_inputs_and_mask_in_full()
    {
        var cell = Lstm<double>.Create(3, 4, 1);
        string Refusal(Func<object> act) => Assert.Throws<ShapeMismatchException>(act).Message;
        Assert.Equal("unroll: [2,5,4]: inputs must be [batch, time, 3]", Refusal(() => Sequence.Unroll(cell, Tensor.Zeros<double>(2, 5, 4))));
        Assert.Equal("unroll: [2,5]: inputs must be [batch, time, 3]", Refusal(() => Sequence.Unroll(cell, Tensor.Zeros<double>(2, 5), cell.InitialState(2))));
        Assert.Equal("unroll: [0,5,3]: the batch is empty", Refusal(() => Sequence.Unroll(cell, Tensor.Zeros<double>(0, 5, 3))));
        Assert.Equal("unroll: [2,0,3]: the sequence has no time steps", Refusal(() => Sequence.Unroll(cell, Tensor.Zeros<double>(2, 0, 3), cell.InitialState(2))));
        Assert.Equal("unroll: [2,4] x [2,5,3]: the mask must be [batch, time] = [2,5] for these inputs",
            Refusal(() => Sequence.Unroll(cell, X, cell.InitialState(2), Tensor.Ones<double>(2, 4))));
        Assert.Equal("unroll: [5,2] x [2,5,3]: the mask must be [batch, time] = [2,5] for these inputs",
            Refusal(() => Sequence.UnrollMasked(cell, X, Tensor.Ones<double>(5, 2))));
    }

    [Fact]
    public void A_masked_unroll_refuses_a_null_mask_instead_of_running_unmasked()
    {
        var cell = Gru<double>.Create(3, 4, 1);
        Assert.Equal("mask", Assert.Throws<ArgumentNullException>(() => Sequence.UnrollMasked(cell, X, null!)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentNullException>(() => Sequence.Unroll(cell, X, cell.InitialState(2), null!)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentNullException>(() => Sequence.UnrollComposed(cell, X, cell.InitialState(2), null!)).ParamName);
    }

    [Fact]
    public void A_memory_of_the_wrong_shape_is_named_with_the_shape_it_must_have()
    {
        var grid = GridLstm<double>.Create(3, 4, 1, 1);
        var transform = grid.Blocks[0].Depth;
        var hiddens = Tensor.Zeros<double>(2, transform.InputSize);
        Assert.Equal($"grid lstm transform step: [3,{transform.Size}]: the cell state must be [2, {transform.Size}]",
            Assert.Throws<ShapeMismatchException>(() => transform.Apply(hiddens, Tensor.Zeros<double>(3, transform.Size))).Message);
        Assert.Equal("memory", Assert.Throws<ArgumentNullException>(() => transform.Apply(hiddens, null!)).ParamName);
    }
}
