namespace AutoGradRnn.Tests;

/// <summary>
/// The cells built from cells (bidirectional pairs, stacks, PyTorch-style layers, depth-gated and grid LSTMs, the
/// clockwork RNN, zoneout, checkpointed unrolls): each layer's unroll carries its place in the composite as its label, and
/// every refusal names the composite, the part and both sizes in full.
/// </summary>
public class CompositeContractTests
{
    private static readonly Tensor<double> X = Tensor.RandomNormal<double>(new Shape(2, 3, 3), 1);

    private static string[] Labels(Action run)
    {
        using var trace = UnrollTrace.Start();
        run();
        return [.. trace.Paths.Select(p => p.Cell)];
    }

    private static string Refusal<TException>(Func<object> act) where TException : Exception => Assert.Throws<TException>(act).Message;

    [Fact]
    public void Every_layer_of_a_composite_labels_its_unroll_with_its_place()
    {
        static Lstm<double> L(int d, int h) => Lstm<double>.Create(d, h, d + h);
        Assert.Equal(["Bidirectional.Forward: Lstm", "Bidirectional.Backward: Lstm"],
            Labels(() => new Bidirectional<LstmState<double>, double>(L(3, 4), L(3, 2)).Unroll(X)));
        var net = RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(6, 2)], [L(3, 2), L(6, 1)]);
        Assert.Equal(["RecurrentLayers[0].Forward: Lstm", "RecurrentLayers[0].Backward: Lstm", "RecurrentLayers[1].Forward: Lstm", "RecurrentLayers[1].Backward: Lstm"],
            Labels(() => net.Unroll(X)));
        var stack = Stacked<LstmState<double>, double>.Of(L(3, 4), L(4, 2));
        Assert.Equal(["Stacked[0]: Lstm", "Stacked[1]: Lstm"],
            Labels(() => stack.UnrollWithDropout(X, stack.InitialState(2), DropoutMasks.BetweenLayers(stack, 2, 3, 0.5, new Rng(1)))));
        var tape = new Tape<double>();
        Sequence.UnrollCheckpointed(L(3, 4), tape.Track(X), L(3, 4).InitialState(2), every: 2);
        Assert.Contains("unroll (checkpointed)", tape.Ops);
    }

    [Fact]
    public void A_unidirectional_network_with_a_head_is_its_layers_and_head_in_turn()
    {
        var (first, second, head) = (Gru<double>.Create(3, 4, 1), Gru<double>.Create(4, 2, 2), Linear<double>.Create(2, 5, 3));
        var net = RecurrentLayers<RnnState<double>, double>.Of([first, second], head: head);
        var outputs = Sequence.Unroll(second, Sequence.Unroll(first, X).Outputs).Outputs;
        TensorAssert.Close(outputs, net.Unroll(X).Outputs, 1e-12, 1e-14);
        TensorAssert.Close(head.Apply(outputs), net.Apply(X), 1e-12, 1e-14);
        TensorAssert.Close(outputs, (net with { Head = null }).Apply(X), 1e-12, 1e-14);
        Assert.Equal("recurrent layers: 1 initial states given for 2 layers × 1 directions",
            Refusal<ShapeMismatchException>(() => net.Unroll(X, [first.InitialState(2)])));
        Assert.Equal("recurrent layers: 0 layers; at least 1 is needed (Parameter 'Forward')",
            Refusal<ArgumentOutOfRangeException>(() => (net with { Forward = [] }).Unroll(X)));
        Assert.Equal("recurrent layers: 0 layers; at least 1 is needed (Parameter 'Forward')",
            Refusal<ArgumentOutOfRangeException>(() => (net with { Forward = [] }).InputSize));
        Assert.Equal("forward", Assert.Throws<ArgumentNullException>(() => RecurrentLayers<RnnState<double>, double>.Of(null!)).ParamName);
        var both = RecurrentLayers<RnnState<double>, double>.Of([first, Gru<double>.Create(8, 2, 4)], [first, Gru<double>.Create(8, 2, 5)]);
        Assert.Equal("recurrent layers: 1 initial states given for 2 layers × 2 directions",
            Refusal<ShapeMismatchException>(() => both.Unroll(X, [first.InitialState(2)])));
        Assert.Equal("recurrent layers: layer 1 forward reads 4 features but layer 0 outputs 3",
            Refusal<ShapeMismatchException>(() => (net with { Forward = [Gru<double>.Create(3, 3, 1), second] }).Unroll(X)));
    }

    [Fact]
    public void Composites_name_themselves_the_part_and_both_sizes()
    {
        var bad = Tensor.Zeros<double>(2, 7);
        var lstm = Lstm<double>.Create(3, 4, 1);
        Assert.Equal("bidirectional: [2,3]: inputs must be [batch, time, features]",
            Refusal<ShapeMismatchException>(() => new Bidirectional<LstmState<double>, double>(lstm, lstm).Unroll(Tensor.Zeros<double>(2, 3))));
        var stack = Stacked<LstmState<double>, double>.Of(lstm, Lstm<double>.Create(4, 4, 2));
        Assert.Equal("stacked step: [2,7]: input must be [batch, 3]", Refusal<ShapeMismatchException>(() => stack.Step(stack.InitialState(2), bad)));

        var depth = DepthGatedLstm<double>.Create(3, 4, 2, 1);
        Assert.Equal("depth-gated lstm step: [2,7]: input must be [batch, 3]", Refusal<ShapeMismatchException>(() => depth.Step(depth.InitialState(2), bad)));
        Assert.Equal("depth-gated lstm: [9,5] x [7,4]: layer 1 has input 4 and hidden 5, but every layer above the first must read and keep H = 4",
            Refusal<ShapeMismatchException>(() => DepthGatedLstm<double>.Of(lstm, DepthGatedLstmLayer<double>.Create(4, 5, 1))));
        var layer = DepthGatedLstmLayer<double>.Create(3, 4, 1);
        var (h, c) = (Tensor.Zeros<double>(2, 4), Tensor.Zeros<double>(2, 4));
        var x = Tensor.Zeros<double>(2, 3);
        Assert.Equal("depth-gated lstm layer step: [2,7]: input must be [batch, 3]",
            Refusal<ShapeMismatchException>(() => layer.StepWithGates(new(h, c), bad, c)));
        Assert.Equal("depth-gated lstm layer step: [2,3] x [2,5]: state C must be [2,4] for this input",
            Refusal<ShapeMismatchException>(() => layer.StepWithGates(new(h, Tensor.Zeros<double>(2, 5)), x, c)));
        Assert.Equal("depth-gated lstm layer step: [2,5] x [2,4]: the lower layer's cell state must be [2, 4], this layer's size",
            Refusal<ShapeMismatchException>(() => layer.StepWithGates(new(h, c), x, Tensor.Zeros<double>(2, 5))));

        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        Assert.Equal("grid lstm: [3]: the input projection I must be [D, k]", Refusal<ShapeMismatchException>(() => GridLstm<double>.Of(Tensor.Zeros<double>(3), grid.Blocks)));
        Assert.Equal("grid lstm: [8,4] x [8,4] x [3,5]: block 0 must map H = [h^time (4), h^depth (5)] to 4 time and 5 depth units, but its transforms are [8,4] and [8,4]",
            Refusal<ShapeMismatchException>(() => GridLstm<double>.Of(Tensor.Zeros<double>(3, 5), grid.Blocks)));
        Assert.Equal("grid lstm transform: [2,7]: H must be [batch, 8]",
            Refusal<ShapeMismatchException>(() => grid.Blocks[0].Time.Apply(bad, Tensor.Zeros<double>(2, 4))));

        Assert.Equal("clockwork rnn: 0 modules; at least 1 is needed (Parameter 'modules')", Refusal<ArgumentOutOfRangeException>(() => ClockworkRnn.ExponentialPeriods(0)));
        var clockwork = ClockworkRnn<double>.Create(3, 2, [1, 2], 1);                       // modules of 2: W_H,1 reads the slower module only
        Assert.Equal("clockwork rnn: [3,2]: parameter Wh[1] must be [2,2]",
            Refusal<ShapeMismatchException>(() => (clockwork with { Wh = [clockwork.Wh[0], Tensor.Zeros<double>(3, 2)] }).Step(clockwork.InitialState(2), x)));

        Assert.Equal("clockwork rnn: period 0 of module 1 must be positive (Parameter 'periods')",
            Refusal<ArgumentOutOfRangeException>(() => (clockwork with { Periods = [1, 0] }).Step(clockwork.InitialState(2), x)));
        Assert.Equal("recurrent encoder: [2,3]: inputs must be [batch, time, features]",
            Refusal<ShapeMismatchException>(() => new RecurrentEncoder<LstmState<double>, double>(lstm).Encode(Tensor.Zeros<double>(2, 3), Tensor.Ones<double>(2, 3))));

        var zoneout = new Zoneout<LstmState<double>, double>(lstm);
        Assert.Equal($"zoneout step: [2,7]: input must be [batch, {zoneout.InputSize}]", Refusal<ShapeMismatchException>(() => zoneout.Step(lstm.InitialState(2), bad)));
    }

    /// <summary>Layer l above the first is seeded seed + 7919·l, so a network can be rebuilt from its layers.</summary>
    [Fact]
    public void A_depth_gated_network_is_its_seeded_layers()
    {
        var init = new CellInit { Weights = WeightInit.GlorotUniform };
        var built = DepthGatedLstm<double>.Create(3, 4, 3, 11, init);
        var parts = DepthGatedLstm<double>.Of(Lstm<double>.Create(3, 4, 11, init), DepthGatedLstmLayer<double>.Create(4, 4, 11 + 7919, init), DepthGatedLstmLayer<double>.Create(4, 4, 11 + 2 * 7919, init));
        Assert.Equal(ParameterTree<double>.Leaves(parts).Select(l => l.ToArray()), ParameterTree<double>.Leaves(built).Select(l => l.ToArray()));
    }
}
