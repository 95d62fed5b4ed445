using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>The depth-gated LSTM: what the depth gate does when shut and when wide open, and its errors.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class DepthGatedLstmTests
{
    private static Lstm<double> AsLstm(DepthGatedLstmLayer<double> l) => new(l.Wf, l.Bf, l.Wi, l.Bi, l.Wc, l.Bc, l.Wo, l.Bo);

    private static Tensor<double> Fill(int h, double v) => Tensor.Fill(v, h);

    [Property]
    public void With_the_depth_gates_shut_it_is_a_stacked_lstm(CellCase c)
    {
        var net = DepthGatedLstm<double>.Create(c.D, c.H, layers: 3, c.Seed);
        // σ(−10³⁰⁰) = 0 exactly: d_t = 0, so C_t = f_t⊙C_{t-1} + i_t⊙C̃_t, the plain LSTM.
        var shut = net with { Upper = [.. net.Upper.Select(l => l with { Bd = Fill(c.H, -1e300) })] };
        var stacked = Stacked<LstmState<double>, double>.Of([net.Bottom, .. shut.Upper.Select(AsLstm)]);
        var state = CellGradientTests.RandomState(net, c.B, c.Seed);
        var a = Sequence.Unroll(shut, c.Inputs, state);
        var b = Sequence.UnrollComposed(stacked, c.Inputs, state);   // the per-equation stack: bit-for-bit the same arithmetic
        TensorAssert.Close(b.Outputs, a.Outputs, 1e-15, 0);
        for (int l = 0; l < 3; l++) TensorAssert.Close(b.Final[l].C, a.Final[l].C, 1e-15, 0);
        var (_, gates) = Sequence.UnrollWithGates(shut, c.Inputs, state);
        Assert.All(gates.SelectMany(g => g.DepthGates), d => Assert.All(d.ToArray(), v => Assert.Equal(0.0, v)));
    }

    [Property]
    public void One_layer_is_the_plain_lstm(CellCase c)
    {
        var net = DepthGatedLstm<double>.Create(c.D, c.H, layers: 1, c.Seed);
        Assert.Empty(net.Upper);
        // Unroll takes the fused path for a plain LSTM and the composed one for the stack: equal up to rounding.
        TensorAssert.Close(Sequence.Unroll(net.Bottom, c.Inputs).Outputs, Sequence.Unroll(net, c.Inputs).Outputs, 1e-12, 1e-14);
    }

    [Property]
    public void With_the_depth_gate_open_and_the_other_gates_shut_the_upper_memory_is_the_lower_memory(CellCase c)
    {
        var net = DepthGatedLstm<double>.Create(c.D, c.H, layers: 2, c.Seed);
        var open = net with { Upper = [net.Upper[0] with { Bd = Fill(c.H, 1e300), Bf = Fill(c.H, -1e300), Bi = Fill(c.H, -1e300) }] };
        var r = Sequence.Unroll(open, c.Inputs, CellGradientTests.RandomState(net, c.B, c.Seed));
        Assert.Equal(r.Final[0].C.ToArray(), r.Final[1].C.ToArray());        // C_t^1 = 1⊙C_t^0 + 0 + 0
        // and the lower memory's gradient passes straight up: ∂ΣC_T^1/∂C_T^0 = 1
        var layer = open.Upper[0];
        var s = CellGradientTests.RandomState(net, c.B, c.Seed + 1);
        var g = Autodiff.Grad((Tensor<double> lower) => Ops.Sum(layer.StepWithGates(s[1], s[0].H, lower).State.C))(s[0].C);
        Assert.All(g.ToArray(), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Every_step_reports_one_depth_gate_per_upper_layer()
    {
        var net = DepthGatedLstm<float>.Create(inputSize: 3, hiddenSize: 4, layers: 3, seed: 1);
        var (result, gates) = Sequence.UnrollWithGates(net, Tensor.RandomNormal<float>(new Shape(2, 5, 3), 2), net.InitialState(2));
        Assert.Equal(5, gates.Count);
        Assert.All(gates, g => { Assert.Equal(3, g.Layers.Length); Assert.Equal(2, g.DepthGates.Length); Assert.All(g.DepthGates, d => Assert.Equal(new Shape(2, 4), d.Shape)); });
        Assert.Equal(new Shape(2, 5, 4), result.Outputs.Shape);
        Assert.Equal(3, result.Final.Length);
    }

    [Fact]
    public void Bad_layers_sizes_and_states_are_named()
    {
        Assert.Contains("depth-gated lstm: 0 layers; at least 1 is needed", Assert.Throws<ArgumentOutOfRangeException>(() => DepthGatedLstm<double>.Create(3, 4, 0, 1)).Message);
        Assert.Contains("-2 layers", Assert.Throws<ArgumentOutOfRangeException>(() => DepthGatedLstm<double>.Create(3, 4, -2, 1)).Message);
        Assert.Contains("layer 1 has input 4 and hidden 5, but every layer above the first must read and keep H = 4", Assert.Throws<ShapeMismatchException>(() =>
            DepthGatedLstm<double>.Of(Lstm<double>.Create(3, 4, 1), DepthGatedLstmLayer<double>.Create(4, 5, 2))).Message);
        var net = DepthGatedLstm<double>.Create(3, 4, 2, 1);
        Assert.Contains("1 layer states given for 2 layers", Assert.Throws<ShapeMismatchException>(() => net.Step([net.Bottom.InitialState(2)], Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("the lower layer's cell state must be [2, 4]", Assert.Throws<ShapeMismatchException>(() =>
            net.Upper[0].StepWithGates(net.Bottom.InitialState(2), Tensor.Zeros<double>(2, 4), Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("inputs must be [batch, time, 3]", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(net, Tensor.Zeros<double>(2, 5, 4))).Message);
    }
}
