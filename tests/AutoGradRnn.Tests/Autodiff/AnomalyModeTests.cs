using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>Anomaly detection: only ops (never leaves) are checked, only when asked, and the message names op, pass and input.</summary>
public class AnomalyModeTests
{
    [Fact]
    public void A_non_finite_leaf_is_not_an_anomaly_only_an_op_output_is()
    {
        var tape = new Tape<double>(detectAnomaly: true);
        Assert.True(tape.DetectAnomaly);
        var x = tape.Track(Tensor.FromArray([double.NaN, 1.0]));   // leaves are data, not anomalies
        var e = Assert.Throws<AnomalyException>(() => x * 2.0);
        Assert.Equal("mul_scalar", e.Op);
        Assert.Equal("forward", e.Pass);
        Assert.Contains("anomaly in forward of 'mul_scalar' (inputs [2]): output [2] contains NaN or Inf", e.Message);
    }

    [Fact]
    public void Without_anomaly_mode_non_finite_values_flow_through()
    {
        var tape = new Tape<double>();
        Assert.False(tape.DetectAnomaly);
        var x = tape.Track(Tensor.FromArray([-1.0, 0.0]));
        var y = Sum(Log(x));                                        // NaN and -inf forward
        var g = tape.Backward(y);                                   // inf backward
        Assert.True(double.IsNaN(y.Data[0]));
        Assert.True(double.IsInfinity(g[x].Data[1]));
    }

    [Fact]
    public void A_non_finite_backward_gradient_names_the_op_and_the_input()
    {
        var tape = new Tape<double>(detectAnomaly: true);
        var a = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var b = tape.Track(Tensor.FromArray([3.0, 4.0]));
        var y = Custom("blowup", Tensor.Scalar(1.0), [a, b], c => [null, Tensor.FromArray([double.PositiveInfinity, 0.0])]);
        var e = Assert.Throws<AnomalyException>(() => tape.Backward(y));
        Assert.Equal("blowup", e.Op);
        Assert.Equal("backward", e.Pass);
        Assert.Contains("anomaly in backward of 'blowup' (inputs [2], [2]): gradient for input 1 [2] contains NaN or Inf", e.Message);
    }

    [Fact]
    public void The_transforms_pass_anomaly_mode_to_their_tape()
    {
        var w = Tensor.FromArray([-1.0, 2.0]);
        var checkedGrad = Autodiff.With(new AutodiffOptions { DetectAnomaly = true }).Grad((Tensor<double> p) => Sum(Log(p)));
        Assert.Equal("log", Assert.Throws<AnomalyException>(() => checkedGrad(w)).Op);
        var g = Autodiff.Grad((Tensor<double> p) => Sum(Log(p)), w);   // default: no check
        Assert.Equal(0.5, g.Data[1]);
    }
}
