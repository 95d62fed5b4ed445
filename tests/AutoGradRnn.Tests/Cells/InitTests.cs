using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public class InitTests
{
    [Fact]
    public void Default_is_pytorch_uniform_with_forget_bias_one()
    {
        var cell = Lstm<double>.Create(10, 16, seed: 1);
        double bound = 1 / Math.Sqrt(16);
        Assert.All(cell.Wi.ToArray().Concat(cell.Wf.ToArray()).Concat(cell.Bi.ToArray()), v => Assert.InRange(v, -bound, bound));
        Assert.All(cell.Bf.ToArray(), v => Assert.Equal(1.0, v));
        Assert.Equal(new Shape(26, 16), cell.Wf.Shape);
        var torch = Lstm<double>.Create(10, 16, seed: 1, CellInit.PyTorch);
        Assert.All(torch.Bf.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(CoupledLstm<double>.Create(3, 4, 1).Bf.ToArray(), v => Assert.Equal(1.0, v));
        Assert.All(PeepholeLstm<double>.Create(3, 4, 1).Bf.ToArray(), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Keras_init_is_glorot_with_orthogonal_recurrent_blocks()
    {
        const int h = 8, d = 5;
        var cell = Lstm<double>.Create(d, h, seed: 3, CellInit.Keras);
        var recurrent = Slice(cell.Wo, 0, h, 0);
        TensorAssert.Close(Tensor.FromArray(Enumerable.Range(0, h * h).Select(i => i / h == i % h ? 1.0 : 0.0).ToArray(), h, h),
            MatMul(recurrent, recurrent, transposeA: true), 1e-10, 1e-12);                       // QᵀQ = I
        double glorot = Math.Sqrt(6.0 / (d + h));
        Assert.All(Slice(cell.Wo, h, d, 0).ToArray(), v => Assert.InRange(v, -glorot, glorot));
        Assert.All(cell.Bo.ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(cell.Bf.ToArray(), v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void Initialisation_is_seeded()
    {
        Assert.Equal(Gru<float>.Create(4, 5, 9).W.ToArray(), Gru<float>.Create(4, 5, 9).W.ToArray());
        Assert.NotEqual(Gru<float>.Create(4, 5, 9).W.ToArray(), Gru<float>.Create(4, 5, 10).W.ToArray());
    }

    [Fact]
    public void Chrono_draws_forget_biases_log_uniform_up_to_the_length_and_opposes_the_input_biases()
    {
        var lstm = (Lstm<double>)CellInit.Chrono(Lstm<double>.Create(3, 64, 1), 40, new Rng(5));
        Assert.All(lstm.Bf.ToArray(), b => Assert.InRange(b, 0, Math.Log(39)));
        Assert.Equal(lstm.Bf.ToArray().Select(b => -b), lstm.Bi.ToArray());
        var gru = (GruResetAfter<double>)CellInit.Chrono(GruResetAfter<double>.Create(3, 8, 1), 40, new Rng(5));
        Assert.All(gru.Bz.ToArray(), b => Assert.InRange(b, 0, Math.Log(39)));     // z keeps the old state
        var essay = (Gru<double>)CellInit.Chrono(Gru<double>.Create(3, 8, 1), 40, new Rng(5));
        Assert.All(essay.Bz.ToArray(), b => Assert.InRange(b, -Math.Log(39), 0));  // here z takes the new candidate
        var rnn = Rnn<double>.Create(3, 8, 1);
        Assert.Same(rnn, CellInit.Chrono(rnn, 40, new Rng(5)));                    // no gate to set
    }
}
