namespace AutoGradRnn.Tests;

/// <summary>
/// The checkpointed unroll at its segment boundaries (k = 1, k = T, k &gt; T, T not a multiple of k): the normal
/// unroll's values and input gradients; and its mask checks, named.
/// </summary>
public class CheckpointedBoundaryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]   // 7 = 3 + 3 + 1
    [InlineData(7)]
    [InlineData(8)]
    public void Every_segment_length_gives_the_normal_values_and_gradients(int every)
    {
        var cell = Gru<double>.Create(2, 3, 1);
        var x = Tensor.RandomNormal<double>(new Shape(2, 7, 2), 2);
        var mask = Sequence.MaskFromLengths<double>([7, 4], 7);
        var s0 = new RnnState<double>(Tensor.RandomNormal<double>(new Shape(2, 3), 3));
        var normal = Sequence.Unroll(cell, x, s0, mask);
        var checkpointed = Sequence.UnrollCheckpointed(cell, x, s0, every, mask);
        TensorAssert.Close(normal.Outputs, checkpointed.Outputs, 1e-12, 1e-14);
        TensorAssert.Close(normal.Final.H, checkpointed.Final.H, 1e-12, 1e-14);
        var w = Tensor.RandomNormal<double>(new Shape(2, 7, 3), 4);
        var gNormal = Autodiff.Grad(((Tensor<double> X, RnnState<double> S) p) => Ops.Sum(Sequence.Unroll(cell, p.X, p.S, mask).Outputs * w) + Ops.Sum(Sequence.Unroll(cell, p.X, p.S, mask).Final.H))((x, s0));
        var gCheck = Autodiff.Grad(((Tensor<double> X, RnnState<double> S) p) => Ops.Sum(Sequence.UnrollCheckpointed(cell, p.X, p.S, every, mask).Outputs * w) + Ops.Sum(Sequence.UnrollCheckpointed(cell, p.X, p.S, every, mask).Final.H))((x, s0));
        TensorAssert.Close(gNormal.X, gCheck.X, 1e-9, 1e-12);
        TensorAssert.Close(gNormal.S.H, gCheck.S.H, 1e-9, 1e-12);
    }

    [Fact]
    public void Segment_length_1_is_the_smallest_allowed()
    {
        var cell = Rnn<double>.Create(2, 3, 1);
        var x = Tensor.RandomNormal<double>(new Shape(1, 3, 2), 2);
        TensorAssert.Close(Sequence.Unroll(cell, x).Outputs, Sequence.UnrollCheckpointed(cell, x, cell.InitialState(1), 1).Outputs, 1e-12, 1e-14);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.UnrollCheckpointed(cell, x, cell.InitialState(1), -1));
        Assert.Equal("every", e.ParamName);
        Assert.StartsWith("checkpointed unroll: segment length -1 must be at least 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mask_of_the_wrong_shape_or_a_tracked_one_is_refused_naming_it()
    {
        var cell = Rnn<double>.Create(2, 3, 1);
        var x = Tensor.Zeros<double>(2, 4, 2);
        Assert.Equal("unroll (checkpointed): [2,3] x [2,4,2]: the mask must be [batch, time] = [2,4] for these inputs",
            Assert.Throws<ShapeMismatchException>(() => Sequence.UnrollCheckpointed(cell, x, cell.InitialState(2), 2, Tensor.Ones<double>(2, 3))).Message);
        var tracked = new Tape<double>().Track(Tensor.Ones<double>(2, 4));
        var e = Assert.Throws<ArgumentException>(() => Sequence.UnrollCheckpointed(cell, x, cell.InitialState(2), 2, tracked));
        Assert.Equal("mask", e.ParamName);
        Assert.StartsWith("checkpointed unroll: the mask must not be tracked (Detach() it)", e.Message, StringComparison.Ordinal);
        // An untracked mask of the right shape runs.
        Assert.Equal(new Shape(2, 4, 3), Sequence.UnrollCheckpointed(cell, x, cell.InitialState(2), 2, Tensor.Ones<double>(2, 4)).Outputs.Shape);
    }
}
