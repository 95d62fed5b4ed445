using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>The LSTM with a projection layer: its layout conversion, its relation to the plain LSTM, its errors.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Cells), typeof(ProjectionLstmTests.ProjectionCases) })]
public class ProjectionLstmTests
{
    /// <summary>A cell case plus a projection size P ∈ [1, 5].</summary>
    public sealed record ProjectionCase(CellCase Cell, int P)
    {
        public override string ToString() => $"{Cell} P {P}";
    }

    public static class ProjectionCases
    {
        public static Arbitrary<ProjectionCase> Cases() =>
            Arb.From(from c in CellCase.Arb().Generator from p in Gen.Choose(1, 5) select new ProjectionCase(c, p));
    }

    [Property]
    public void Round_trip_through_the_pytorch_layout_is_exact(ProjectionCase x)
    {
        var (c, p) = x;
        var cell = ProjectionLstm<double>.Create(c.D, c.H, p, c.Seed);
        var w = PyTorchWeights.FromProjectionLstm(cell);
        Assert.Equal(new Shape(4 * c.H, c.D), w.WeightIh.Shape);
        Assert.Equal(new Shape(4 * c.H, p), w.WeightHh.Shape);
        Assert.Equal(new Shape(p, c.H), w.WeightHr.Shape);
        var back = PyTorchWeights.ToProjectionLstm(w);
        foreach (var (a, b) in ParameterTree<double>.Leaves(cell).Zip(ParameterTree<double>.Leaves(back))) Assert.Equal(a.ToArray(), b.ToArray());
        // A state_dict with both biases non-zero converts to the same function after a round trip through ours.
        var torchLike = w with { BiasHh = Tensor.RandomNormal<double>(w.BiasHh.Shape, c.Seed + 1) };
        var viaOurs = PyTorchWeights.FromProjectionLstm(PyTorchWeights.ToProjectionLstm(torchLike));
        TensorAssert.Close(Sequence.Unroll(PyTorchWeights.ToProjectionLstm(torchLike), c.Inputs).Outputs, Sequence.Unroll(PyTorchWeights.ToProjectionLstm(viaOurs), c.Inputs).Outputs);
    }

    [Fact]
    public void State_dict_names_include_weight_hr()
    {
        var w = PyTorchWeights.FromProjectionLstm(ProjectionLstm<double>.Create(3, 4, 2, 1));
        Assert.Equal(["weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse", "weight_hr_l1_reverse"],
            w.ToStateDict(1, reverse: true).Select(n => n.Name));
        var read = PyTorchProjectionLstmWeights<double>.FromStateDict(w.ToStateDict(1, reverse: true), 1, reverse: true);
        Assert.Equal(w.WeightHr.ToArray(), read.WeightHr.ToArray());
        Assert.Contains("no 'weight_hr_l0'", Assert.Throws<KeyNotFoundException>(() =>
            PyTorchProjectionLstmWeights<double>.FromStateDict(PyTorchWeights.FromLstm(Lstm<double>.Create(3, 4, 1)).ToStateDict())).Message);
    }

    [Property]
    public void With_an_identity_projection_it_is_the_plain_lstm(CellCase c)
    {
        var lstm = Lstm<double>.Create(c.D, c.H, c.Seed);
        var identity = Tensor.FromArray(Enumerable.Range(0, c.H * c.H).Select(k => k / c.H == k % c.H ? 1.0 : 0.0).ToArray(), c.H, c.H);
        var projected = new ProjectionLstm<double>(lstm.Wf, lstm.Bf, lstm.Wi, lstm.Bi, lstm.Wc, lstm.Bc, lstm.Wo, lstm.Bo, identity);
        var a = Sequence.Unroll(lstm, c.Inputs);
        var b = Sequence.Unroll(projected, c.Inputs);
        TensorAssert.Close(a.Outputs, b.Outputs);
        TensorAssert.Close(a.Final.C, b.Final.C);
    }

    [Fact]
    public void Outputs_have_the_projection_size_and_the_memory_keeps_the_cell_size()
    {
        var cell = ProjectionLstm<float>.Create(inputSize: 3, hiddenSize: 6, projectionSize: 2, seed: 1);
        var r = Sequence.Unroll(cell, Tensor.RandomNormal<float>(new Shape(4, 5, 3), 2));
        Assert.Equal(new Shape(4, 5, 2), r.Outputs.Shape);
        Assert.Equal(new Shape(4, 2), r.Final.H.Shape);
        Assert.Equal(new Shape(4, 6), r.Final.C.Shape);
        Assert.Equal((2, 6, 3), (cell.OutputSize, cell.CellSize, cell.InputSize));
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(5, 2)]
    public void Orthogonal_init_of_a_non_square_recurrent_block_is_semi_orthogonal(int p, int h)
    {
        var cell = ProjectionLstm<double>.Create(3, h, p, 1, CellInit.Keras);
        var recurrent = Slice(cell.Wf, 0, p, 0);                                       // [P, H]
        var gram = p <= h ? MatMul(recurrent, recurrent, transposeB: true) : MatMul(recurrent, recurrent, transposeA: true);
        int n = Math.Min(p, h);
        TensorAssert.Close(Tensor.FromArray(Enumerable.Range(0, n * n).Select(k => k / n == k % n ? 1.0 : 0.0).ToArray(), n, n), gram, 1e-10, 1e-12);
    }

    [Fact]
    public void Bad_sizes_and_shapes_are_named()
    {
        Assert.Contains("projection size 0 must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => ProjectionLstm<double>.Create(3, 4, 0, 1)).Message);
        var cell = ProjectionLstm<double>.Create(3, 4, 2, 1);
        Assert.Contains("state H must be [2,2] for this input", Assert.Throws<ShapeMismatchException>(() => cell.Step(new LstmState<double>(Tensor.Zeros<double>(2, 4), Tensor.Zeros<double>(2, 4)), Tensor.Zeros<double>(2, 3))).Message);
        Assert.Contains("[2,2]: state C must be [2,4] for this input", Assert.Throws<ShapeMismatchException>(() => cell.Step(new LstmState<double>(Tensor.Zeros<double>(2, 2), Tensor.Zeros<double>(2, 2)), Tensor.Zeros<double>(2, 3))).Message);
        var w = PyTorchWeights.FromProjectionLstm(cell);
        Assert.Contains("weight_hh must be [4·H, P] = [16, 2]", Assert.Throws<ShapeMismatchException>(() => PyTorchWeights.ToProjectionLstm(w with { WeightHh = Tensor.Zeros<double>(16, 3) })).Message);
        Assert.Contains("weight_ih must be [16, D]", Assert.Throws<ShapeMismatchException>(() => PyTorchWeights.ToProjectionLstm(w with { WeightIh = Tensor.Zeros<double>(12, 3) })).Message);
        Assert.Contains("bias_ih and bias_hh must be [16]", Assert.Throws<ShapeMismatchException>(() => PyTorchWeights.ToProjectionLstm(w with { BiasHh = Tensor.Zeros<double>(4) })).Message);
        Assert.Contains("weight_hr must be [P, H]", Assert.Throws<ShapeMismatchException>(() => PyTorchWeights.ToProjectionLstm(w with { WeightHr = Tensor.Zeros<double>(8) })).Message);
    }
}
