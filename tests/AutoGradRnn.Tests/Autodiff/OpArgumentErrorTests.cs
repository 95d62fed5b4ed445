using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The argument checks of the ops that gradchecks never reach: each bad argument throws the documented type with a
/// message naming the value, and the last valid value at each boundary is accepted.
/// </summary>
public class OpArgumentErrorTests
{
    private static Tensor<double> Seq(params int[] shape)
    {
        var s = new Shape(shape);
        return Tensor.FromArray(Enumerable.Range(0, s.Count).Select(i => (double)i).ToArray(), s);
    }

    [Fact]
    public void Reshape_infers_one_minus_one_and_names_what_it_cannot_do()
    {
        var x = Seq(2, 3);
        Assert.Equal(new Shape(3, 2), Reshape(x, 3, -1).Shape);
        Assert.Equal(new Shape(6), Reshape(x, -1).Shape);
        var two = Assert.Throws<ArgumentException>(() => Reshape(x, -1, -1));
        Assert.Contains("reshape [2,3] to [-1,-1]: only one dimension may be -1", two.Message);
        var infer = Assert.Throws<ShapeMismatchException>(() => Reshape(x, 4, -1));
        Assert.Contains("reshape: [2,3]: cannot infer the -1 in [4,-1] from 6 elements", infer.Message);
        Assert.Contains("cannot infer the -1 in [0,-1]", Assert.Throws<ShapeMismatchException>(() => Reshape(x, 0, -1)).Message);
        var count = Assert.Throws<ShapeMismatchException>(() => Reshape(x, 4, 2));
        Assert.Contains("reshape: [2,3] x [4,2]: 6 elements cannot take a shape of 8", count.Message);
    }

    [Fact]
    public void Slice_accepts_a_range_ending_at_the_axis_end_and_refuses_one_past_it()
    {
        var x = Seq(2, 4);
        Assert.Equal([2.0, 3, 6, 7], Slice(x, 2, 2).ToArray());
        Assert.Equal(new Shape(2, 0), Slice(x, 4, 0).Shape);
        var past = Assert.Throws<ArgumentOutOfRangeException>(() => Slice(x, 3, 2));
        Assert.Contains("slice: range [3, 5) is outside axis -1 of size 4 in shape [2,4]", past.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Slice(x, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Slice(x, 1, -1));
        Assert.Contains("slice: []: a scalar has no axis to slice",
            Assert.Throws<ShapeMismatchException>(() => Slice(Tensor.Scalar(1.0), 0, 1)).Message);
    }

    [Fact]
    public void Split_names_sizes_that_do_not_add_up_and_counts_that_do_not_divide()
    {
        var x = Seq(2, 6);
        Assert.Equal([new Shape(2, 2), new Shape(2, 4)], Split(x, [2, 4]).Select(p => p.Shape));
        Assert.Contains("split: [2,6]: sizes [2,3] do not add up to axis -1 of size 6",
            Assert.Throws<ShapeMismatchException>(() => Split(x, [2, 3])).Message);
        Assert.Contains("sizes [7,-1] do not add up", Assert.Throws<ShapeMismatchException>(() => Split(x, [7, -1])).Message);
        Assert.Equal(3, Split(x, 3).Length);
        Assert.Contains("split: [2,6]: axis -1 of size 6 does not split into 4 equal parts",
            Assert.Throws<ShapeMismatchException>(() => Split(x, 4)).Message);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => Split(x, 0));
        Assert.Contains("split: count 0 must be positive", zero.Message);
        Assert.Single(Split(x, 1));
    }

    [Fact]
    public void Stack_accepts_axes_from_minus_rank_minus_one_to_rank()
    {
        Tensor<double>[] xs = [Seq(2), Seq(2)];
        Assert.Equal(new Shape(2, 2), Stack(xs, 0).Shape);
        Assert.Equal([0.0, 0, 1, 1], Stack(xs, 1).ToArray());       // the new axis last
        Assert.Equal([0.0, 0, 1, 1], Stack(xs, -1).ToArray());
        Assert.Equal([0.0, 1, 0, 1], Stack(xs, -2).ToArray());
        var over = Assert.Throws<ArgumentOutOfRangeException>(() => Stack(xs, 2));
        Assert.Contains("stack: axis 2 is out of range for tensors of shape [2]", over.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Stack(xs, -3));
        Assert.Contains("stack: no tensors given", Assert.Throws<ArgumentException>(() => Stack(Array.Empty<Tensor<double>>())).Message);
        Assert.Contains("stack: [2] x [3]: all tensors must have the same shape",
            Assert.Throws<ShapeMismatchException>(() => Stack([Seq(2), Seq(3), Seq(2)])).Message);
    }

    [Fact]
    public void Concat_names_empty_input_scalars_and_disagreeing_shapes()
    {
        Assert.Contains("concat: no tensors given", Assert.Throws<ArgumentException>(() => Concat(Array.Empty<Tensor<double>>())).Message);
        Assert.Contains("concat: [] x []: scalars have no axis to join along",
            Assert.Throws<ShapeMismatchException>(() => Concat([Tensor.Scalar(1.0), Tensor.Scalar(2.0)])).Message);
        Assert.Contains("shapes must agree on every axis except 0",
            Assert.Throws<ShapeMismatchException>(() => Concat([Seq(2, 3), Seq(2, 4)], 0)).Message);
        Assert.Contains("shapes must agree on every axis except -1",
            Assert.Throws<ShapeMismatchException>(() => Concat([Seq(2, 3), Seq(2, 3, 1)])).Message);
        Assert.Equal(new Shape(2, 7), Concat([Seq(2, 3), Seq(2, 4)]).Shape);
    }

    [Fact]
    public void Gather_accepts_the_last_row_and_refuses_one_past_it_or_a_negative_index()
    {
        var table = Seq(3, 2);
        Assert.Equal([4.0, 5, 0, 1], Gather(table, [2, 0]).ToArray());
        var past = Assert.Throws<ArgumentOutOfRangeException>(() => Gather(table, [0, 3]));
        Assert.Contains("gather: index 3 at position 1 is outside the 3 rows of table [3,2]", past.Message);
        Assert.Contains("index -1 at position 0", Assert.Throws<ArgumentOutOfRangeException>(() => Gather(table, [-1])).Message);
        Assert.Contains("gather: [6]: the table must be a matrix [rows, width], got rank 1",
            Assert.Throws<ShapeMismatchException>(() => Gather(Seq(6), [0])).Message);
    }

    [Fact]
    public void Dropout_refuses_a_tracked_mask_and_a_mask_that_widens_x()
    {
        var tape = new Tape<double>();
        var x = Seq(2, 3);
        var tracked = tape.Track(Tensor.Ones<double>(2, 3));
        var e = Assert.Throws<ArgumentException>(() => Dropout(x, tracked));
        Assert.Contains("dropout: the mask is a constant input and must not be tracked", e.Message);
        Assert.Equal("mask", e.ParamName);
        Assert.Contains("dropout: [2,3] x [4,2,3]: the mask must broadcast to the shape of x without changing it",
            Assert.Throws<ShapeMismatchException>(() => Dropout(x, Tensor.Ones<double>(4, 2, 3))).Message);
        Assert.Equal([0.0, 2, 4, 0, 8, 10], Dropout(x, Tensor.FromArray([2.0, 2, 2], 1, 3) * Tensor.FromArray([0.0, 1, 1, 0, 1, 1], 2, 3)).ToArray());
    }

    [Fact]
    public void Means_of_empty_tensors_and_empty_axes_are_refused()
    {
        Assert.Contains("mean: [0]: the mean of an empty tensor is undefined",
            Assert.Throws<ShapeMismatchException>(() => Mean(Tensor.Zeros<double>(0))).Message);
        Assert.Contains("mean: [2,0]: axis 1 is empty",
            Assert.Throws<ShapeMismatchException>(() => Mean(Tensor.Zeros<double>(2, 0), 1)).Message);
        Assert.Equal([1.0, 4.0], Mean(Seq(2, 3), 1).ToArray());
        Assert.Equal(2.5, Mean(Seq(2, 3)).Data[0]);
    }

    [Fact]
    public void Losses_name_bad_targets_rows_and_masks()
    {
        var logits = Seq(2, 3);
        Assert.Contains("cross_entropy: []: logits need a class axis",
            Assert.Throws<ShapeMismatchException>(() => CrossEntropyPerRow(Tensor.Scalar(1.0), [0])).Message);
        Assert.Contains("cross_entropy: [0,3]: no rows of logits",
            Assert.Throws<ShapeMismatchException>(() => CrossEntropyPerRow(Tensor.Zeros<double>(0, 3), [])).Message);
        Assert.Contains("cross_entropy: [2,3] x [3]: 3 targets for 2 rows of logits",
            Assert.Throws<ShapeMismatchException>(() => CrossEntropyPerRow(logits, [0, 1, 2])).Message);
        Assert.Contains("cross_entropy: target 3 at row 1 is outside the 3 classes",
            Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropyPerRow(logits, [2, 3])).Message);
        Assert.Contains("target -1 at row 0", Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropyPerRow(logits, [-1, 0])).Message);
        Assert.Equal(2, CrossEntropyPerRow(logits, [2, 0]).Count);
        Assert.Contains("cross_entropy: [2,3] x [3]: the mask has 3 elements for 2 rows of logits",
            Assert.Throws<ShapeMismatchException>(() => CrossEntropy(logits, [0, 0], Tensor.Ones<double>(3))).Message);
        Assert.Contains("cross_entropy: the mask [2] selects no rows",
            Assert.Throws<ArgumentException>(() => CrossEntropy(logits, [0, 0], Tensor.Zeros<double>(2))).Message);
        Assert.Contains("mse: [2,3] x [3,2]: prediction and target shapes differ",
            Assert.Throws<ShapeMismatchException>(() => MeanSquaredError(logits, Seq(3, 2))).Message);
        Assert.Contains("mse: [0]: empty prediction",
            Assert.Throws<ShapeMismatchException>(() => MeanSquaredError(Tensor.Zeros<double>(0), Tensor.Zeros<double>(0))).Message);
        Assert.Contains("mae: [0]: empty prediction",
            Assert.Throws<ShapeMismatchException>(() => MeanAbsoluteError(Tensor.Zeros<double>(0), Tensor.Zeros<double>(0))).Message);
        Assert.Contains("mae: [2,3] x [3,2]: prediction and target shapes differ",
            Assert.Throws<ShapeMismatchException>(() => MeanAbsoluteError(logits, Seq(3, 2))).Message);
        Assert.Contains("mae: the mask [2] selects no elements",
            Assert.Throws<ArgumentException>(() => MeanAbsoluteError(logits, logits, Tensor.Zeros<double>(2))).Message);
        Assert.Contains("mse: [2,3] x [3]: the mask must have the prediction's shape, or that shape without its last axis",
            Assert.Throws<ShapeMismatchException>(() => MeanSquaredError(logits, logits, Tensor.Ones<double>(3))).Message);
    }

    [Fact]
    public void Softmaxes_and_layer_norm_name_their_bad_arguments()
    {
        Assert.Contains("softmax: []: needs at least one axis", Assert.Throws<ShapeMismatchException>(() => Softmax(Tensor.Scalar(1.0))).Message);
        Assert.Contains("log_softmax: []: needs at least one axis", Assert.Throws<ShapeMismatchException>(() => LogSoftmax(Tensor.Scalar(1.0))).Message);
        Assert.Contains("masked_softmax: []: needs at least one axis",
            Assert.Throws<ShapeMismatchException>(() => MaskedSoftmax(Tensor.Scalar(1.0), Tensor.Scalar(1.0))).Message);
        Assert.Contains("masked_softmax: [2,2] x [4]: the mask must have the scores' shape",
            Assert.Throws<ShapeMismatchException>(() => MaskedSoftmax(Seq(2, 2), Tensor.Ones<double>(4))).Message);
        Assert.Contains("masked_softmax: mask value 0.5 at flat index 2 of [2,2] is neither 0 nor 1",
            Assert.Throws<ArgumentOutOfRangeException>(() => MaskedSoftmax(Seq(2, 2), Tensor.FromArray([1.0, 1, 0.5, 1], 2, 2))).Message);
        var x = Seq(2, 3);
        Assert.Contains("layer_norm: epsilon 0 must be a finite number > 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3), double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(3), double.NaN));
        Assert.Contains("layer_norm: [2,0]: x needs a non-empty last axis to normalise over",
            Assert.Throws<ShapeMismatchException>(() => LayerNorm(Tensor.Zeros<double>(2, 0), Tensor.Ones<double>(0), Tensor.Zeros<double>(0))).Message);
        Assert.Contains("layer_norm: []: x needs a non-empty last axis",
            Assert.Throws<ShapeMismatchException>(() => LayerNorm(Tensor.Scalar(1.0), Tensor.Ones<double>(1), Tensor.Zeros<double>(1))).Message);
        Assert.Contains("layer_norm: [2,3] x [3] x [2]: gain and bias must be [3]",
            Assert.Throws<ShapeMismatchException>(() => LayerNorm(x, Tensor.Ones<double>(3), Tensor.Zeros<double>(2))).Message);
    }

    [Fact]
    public void MatMul_names_ranks_and_inner_dimensions()
    {
        Assert.Contains("matmul: [2,3] x [3]: B must be a matrix (rank 2), got rank 1",
            Assert.Throws<ShapeMismatchException>(() => MatMul(Seq(2, 3), Seq(3))).Message);
        Assert.Contains("matmul: [3] x [3,2]: A must have rank ≥ 2, got rank 1",
            Assert.Throws<ShapeMismatchException>(() => MatMul(Seq(3), Seq(3, 2))).Message);
        Assert.Contains("matmul (A transposed): [2,2,3] x [2,2]: a transposed A must be a matrix (rank 2), got rank 3",
            Assert.Throws<ShapeMismatchException>(() => MatMul(Seq(2, 2, 3), Seq(2, 2), transposeA: true)).Message);
        Assert.Contains("matmul (B transposed): [2,3] x [2,4]: inner dimensions 3 and 4 differ",
            Assert.Throws<ShapeMismatchException>(() => MatMul(Seq(2, 3), Seq(2, 4), transposeB: true)).Message);
        Assert.Equal(new Shape(3, 4, 2), MatMul(Seq(3, 4, 5), Seq(5, 2)).Shape);
        Assert.Equal(new Shape(3, 2), MatMul(Seq(4, 3), Seq(4, 2), transposeA: true).Shape);
        Assert.Equal(new Shape(2, 0, 5), MatMul(Tensor.Zeros<double>(2, 0, 3), Seq(3, 5)).Shape);
        Assert.Equal(new Shape(2, 5), MatMul(Tensor.Zeros<double>(2, 0), Tensor.Zeros<double>(0, 5)).Shape);
    }
}
