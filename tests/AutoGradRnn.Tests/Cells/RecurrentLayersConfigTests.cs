using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="RecurrentLayers"/>' configuration: the factory's size boundaries (0 refused, 1 accepted), the seed and
/// input size of each layer and direction, the head, every consistency check with its message, and the order of the
/// states (PyTorch's: layer-major, forward before backward).
/// </summary>
public class RecurrentLayersConfigTests
{
    private static RecurrentLayers<LstmState<double>, double> Make(int d, int h, int layers, bool bidirectional, int head = 0, long seed = 10) =>
        RecurrentLayers.Create<LstmState<double>, double>(d, h, layers, bidirectional, (i, o, s) => Lstm<double>.Create(i, o, s), seed, head);

    [Fact]
    public void The_factory_refuses_sizes_below_1_and_a_negative_head_naming_them()
    {
        foreach (var (d, h) in new[] { (0, 4), (3, 0), (-1, 4), (3, -2) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Make(d, h, 1, false));
            Assert.Equal("hiddenSize", e.ParamName);
            Assert.StartsWith($"recurrent layers: sizes {d} → {h} must be positive", e.Message, StringComparison.Ordinal);
        }
        var layers = Assert.Throws<ArgumentOutOfRangeException>(() => Make(3, 4, 0, false));
        Assert.Equal("numLayers", layers.ParamName);
        Assert.StartsWith("recurrent layers: 0 layers; at least 1 is needed", layers.Message, StringComparison.Ordinal);
        var head = Assert.Throws<ArgumentOutOfRangeException>(() => Make(3, 4, 1, false, head: -1));
        Assert.Equal("headSize", head.ParamName);
        Assert.StartsWith("recurrent layers: head size -1 must be ≥ 0 (0: no head)", head.Message, StringComparison.Ordinal);
        // The smallest valid network: one layer of one unit from one feature, no head, then a head of one output.
        var tiny = Make(1, 1, 1, false);
        Assert.Null(tiny.Head);
        Assert.Equal((1, 1, 1, 1), (tiny.InputSize, tiny.NumLayers, tiny.RecurrentOutputSize, tiny.OutputSize));
        Assert.Equal(1, Make(1, 1, 1, false, head: 1).Head!.OutputSize);
    }

    [Fact]
    public void Each_layer_and_direction_gets_its_own_seed_and_layer_l_reads_directions_times_H()
    {
        const long seed = 10;
        var net = Make(3, 4, 2, true, head: 2, seed: seed);
        Assert.Equal((2, 2, true, 8, 2, 3), (net.NumLayers, net.Directions, net.Bidirectional, net.RecurrentOutputSize, net.OutputSize, net.InputSize));
        Assert.Equal(Lstm<double>.Create(3, 4, seed).Wf.ToArray(), ((Lstm<double>)net.Forward[0]).Wf.ToArray());
        Assert.Equal(Lstm<double>.Create(3, 4, seed + 1).Wf.ToArray(), ((Lstm<double>)net.Backward![0]).Wf.ToArray());
        Assert.Equal(Lstm<double>.Create(8, 4, seed + 2).Wf.ToArray(), ((Lstm<double>)net.Forward[1]).Wf.ToArray());
        Assert.Equal(Lstm<double>.Create(8, 4, seed + 3).Wf.ToArray(), ((Lstm<double>)net.Backward[1]).Wf.ToArray());
        Assert.Equal(Linear<double>.Create(8, 2, seed + 4).W.ToArray(), net.Head!.W.ToArray());

        var uni = Make(3, 4, 2, false, head: 2, seed: seed);
        Assert.Equal((1, false, 4, 2), (uni.Directions, uni.Bidirectional, uni.RecurrentOutputSize, uni.OutputSize));
        Assert.Null(uni.Backward);
        Assert.Equal(4, uni.Forward[1].InputSize);
        Assert.Equal(Lstm<double>.Create(4, 4, seed + 2).Wf.ToArray(), ((Lstm<double>)uni.Forward[1]).Wf.ToArray());
        Assert.Equal(Linear<double>.Create(4, 2, seed + 4).W.ToArray(), uni.Head!.W.ToArray());
        Assert.Equal(4, Make(3, 4, 2, false).OutputSize);   // no head: the recurrent outputs
    }

    [Fact]
    public void Layers_that_do_not_fit_are_named_with_both_sizes()
    {
        static Lstm<double> L(int d, int h, long s = 1) => Lstm<double>.Create(d, h, s);
        Assert.Equal("recurrent layers: 2 forward layers but 1 backward layers", Assert.Throws<ShapeMismatchException>(() =>
            RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(8, 4)], [L(3, 4)])).Message);
        Assert.Equal("recurrent layers: layer 0 backward reads 5 features but layer 0 forward reads 3", Assert.Throws<ShapeMismatchException>(() =>
            RecurrentLayers<LstmState<double>, double>.Of([L(3, 4)], [L(5, 4)])).Message);
        Assert.Equal("recurrent layers: layer 1 forward reads 3 features but layer 0 outputs 4", Assert.Throws<ShapeMismatchException>(() =>
            RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(3, 4)])).Message);
        Assert.Equal("recurrent layers: layer 1 backward reads 4 features but layer 0 outputs (both directions) 6", Assert.Throws<ShapeMismatchException>(() =>
            RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(6, 2)], [L(3, 2), L(4, 2)])).Message);
        Assert.Equal("recurrent layers: the head reads 3 features but the top layer outputs 4", Assert.Throws<ShapeMismatchException>(() =>
            RecurrentLayers<LstmState<double>, double>.Of([L(3, 4)], null, Linear<double>.Create(3, 2, 1))).Message);
        var empty = Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentLayers<LstmState<double>, double>.Of([]));
        Assert.Equal("Forward", empty.ParamName);
        Assert.StartsWith("recurrent layers: 0 layers; at least 1 is needed", empty.Message, StringComparison.Ordinal);
        var nullBackward = Assert.Throws<ArgumentNullException>(() => RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(8, 4)], [L(3, 4), null!]));
        Assert.Equal("Backward", nullBackward.ParamName);
        Assert.StartsWith("recurrent layers: backward layer 1 is null", nullBackward.Message, StringComparison.Ordinal);
        var nullForward = Assert.Throws<ArgumentNullException>(() => RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), null!]));
        Assert.Equal("Forward", nullForward.ParamName);
        Assert.StartsWith("recurrent layers: forward layer 1 is null", nullForward.Message, StringComparison.Ordinal);
        // Sizes that do fit, with directions of different widths, build.
        var uneven = RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(6, 2)], [L(3, 2), L(6, 3)], Linear<double>.Create(5, 1, 1));
        Assert.Equal((5, 1), (uneven.RecurrentOutputSize, uneven.OutputSize));
    }

    [Fact]
    public void States_are_layer_major_forward_first_and_their_count_is_checked()
    {
        static Lstm<double> L(int d, int h) => Lstm<double>.Create(d, h, 1);
        var net = RecurrentLayers<LstmState<double>, double>.Of([L(3, 4), L(6, 5)], [L(3, 2), L(6, 1)]);
        Assert.Equal([4, 2, 5, 1], net.InitialState(3).Select(s => s.H.Shape[1]));
        Assert.All(net.InitialState(3), s => Assert.Equal(3, s.H.Shape[0]));
        var x = Tensor.RandomNormal<double>(new Shape(3, 2, 3), 1);
        var result = net.Unroll(x);
        Assert.Equal([4, 2, 5, 1], result.Final.Select(s => s.H.Shape[1]));
        Assert.Equal(new Shape(3, 2, 6), result.Outputs.Shape);
        Assert.Equal("recurrent layers: 3 initial states given for 2 layers × 2 directions",
            Assert.Throws<ShapeMismatchException>(() => net.Unroll(x, net.InitialState(3)[..3])).Message);
        var uni = RecurrentLayers<LstmState<double>, double>.Of([L(3, 4)]);
        Assert.Equal("recurrent layers: 2 initial states given for 1 layers × 1 directions",
            Assert.Throws<ShapeMismatchException>(() => uni.Unroll(x, [.. uni.InitialState(3), .. uni.InitialState(3)])).Message);
        var flat = Tensor.Zeros<double>(3, 3);
        foreach (var act in new Func<object>[] { () => net.Unroll(flat), () => net.Unroll(flat, Tensor.Ones<double>(3, 1)), () => net.Unroll(flat, net.InitialState(3)) })
            Assert.Equal("recurrent layers: [3,3]: inputs must be [batch, time, features]", Assert.Throws<ShapeMismatchException>(act).Message);
    }

    [Fact]
    public void A_masked_deep_bidirectional_network_equals_each_sequence_run_alone()
    {
        var net = Make(2, 3, 2, true, head: 2);
        var x = Tensor.RandomNormal<double>(new Shape(3, 4, 2), 7);
        int[] lengths = [4, 1, 3];
        var masked = net.Unroll(x, Sequence.MaskFromLengths<double>(lengths, 4));
        var applied = net.Apply(x, Sequence.MaskFromLengths<double>(lengths, 4));
        for (int b = 0; b < 3; b++)
        {
            var alone = Slice(Slice(x, b, 1, 0), 0, lengths[b], 1);
            var real = Slice(Slice(masked.Outputs, b, 1, 0), 0, lengths[b], 1);
            TensorAssert.Close(net.Unroll(alone).Outputs, real, 1e-9, 1e-12);
            TensorAssert.Close(net.Apply(alone), Slice(Slice(applied, b, 1, 0), 0, lengths[b], 1), 1e-9, 1e-12);
            Assert.All(Slice(Slice(masked.Outputs, b, 1, 0), lengths[b], 4 - lengths[b], 1).ToArray(), v => Assert.Equal(0.0, v));
            for (int i = 0; i < 4; i++)
                TensorAssert.Close(net.Unroll(alone).Final[i].H, Slice(masked.Final[i].H, b, 1, 0), 1e-9, 1e-12);
        }
        TensorAssert.Close(net.Head!.Apply(net.Unroll(x).Outputs), net.Apply(x), 1e-12, 1e-14);
    }
}
