using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

[Properties(Arbitrary = new[] { typeof(Arbs.Cells) })]
public class PyTorchLayoutTests
{
    [Property]
    public void Lstm_round_trip_is_exact(CellCase c)
    {
        var cell = Lstm<double>.Create(c.D, c.H, c.Seed);
        var back = PyTorchWeights.ToLstm(PyTorchWeights.FromLstm(cell));
        foreach (var (a, b) in ParameterTree<double>.Leaves(cell).Zip(ParameterTree<double>.Leaves(back))) Assert.Equal(a.ToArray(), b.ToArray());
        var w = PyTorchWeights.FromLstm(cell);
        Assert.Equal(new Shape(4 * c.H, c.D), w.WeightIh.Shape);
        Assert.Equal(new Shape(4 * c.H, c.H), w.WeightHh.Shape);
        Assert.Equal(["weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"], w.ToStateDict(1, reverse: true).Select(n => n.Name));
    }

    [Property]
    public void Gru_and_rnn_round_trips_are_exact(CellCase c)
    {
        var gru = GruResetAfter<double>.Create(c.D, c.H, c.Seed);
        foreach (var (a, b) in ParameterTree<double>.Leaves(gru).Zip(ParameterTree<double>.Leaves(PyTorchWeights.ToGru(PyTorchWeights.FromGru(gru)))))
            Assert.Equal(a.ToArray(), b.ToArray());
        var rnn = Rnn<double>.Create(c.D, c.H, c.Seed);
        Assert.Equal(rnn.W.ToArray(), PyTorchWeights.ToRnn(PyTorchWeights.FromRnn(rnn)).W.ToArray());
    }

    [Fact]
    public void Wrong_pytorch_shapes_are_named()
    {
        var w = new PyTorchRnnWeights<double>(Tensor.Zeros<double>(12, 2), Tensor.Zeros<double>(12, 4), Tensor.Zeros<double>(12), Tensor.Zeros<double>(12));
        var e = Assert.Throws<ShapeMismatchException>(() => PyTorchWeights.ToLstm(w));
        Assert.Contains("weight_hh must be [4·H, H]", e.Message);
        Assert.Contains("[12,4]", e.Message);
    }
}
