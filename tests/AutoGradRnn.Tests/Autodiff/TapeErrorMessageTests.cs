using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// The tape's error paths: each throws the documented exception type with a message naming the bad value, so a
/// mutant that drops the check, flips its condition or empties the message is caught.
/// </summary>
public class TapeErrorMessageTests
{
    [Fact]
    public void Tracking_a_tensor_of_another_tape_is_refused_naming_its_shape_but_the_same_tape_may_track_it_again()
    {
        var t1 = new Tape<double>();
        var t2 = new Tape<double>();
        var x = t1.Track(Tensor.FromArray([1.0, 2.0]));
        var e = Assert.Throws<InvalidOperationException>(() => t2.Track(x));
        Assert.Contains("Track: tensor [2] is already tracked on another tape", e.Message);
        var again = t1.Track(x);                       // same tape: a new leaf, no error
        Assert.True(again.IsTracked);
        Assert.Equal(2, t1.Count);
        Assert.True(t2.Track(x.Detach()).IsTracked);
    }

    [Fact]
    public void A_backward_rule_returning_the_wrong_number_of_gradients_is_named_with_both_counts()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = Custom("too_few", Tensor.Scalar(3.0), [x], _ => []);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(y));
        Assert.Contains("too_few: the backward rule returned 0 gradients for 1 inputs", e.Message);

        var z = Custom("too_many", Tensor.Scalar(3.0), [x], c => [c.Gradient, c.Gradient]);
        Assert.Contains("too_many: the backward rule returned 2 gradients for 1 inputs",
            Assert.Throws<InvalidOperationException>(() => tape.Backward(z)).Message);

        var w = Custom("none", Tensor.Scalar(3.0), [x], _ => null!);
        Assert.Contains("none: the backward rule returned null gradients for 1 inputs",
            Assert.Throws<InvalidOperationException>(() => tape.Backward(w)).Message);
    }

    [Fact]
    public void Backward_of_an_output_recorded_elsewhere_or_nowhere_is_refused_naming_its_shape()
    {
        var tape = new Tape<double>();
        var untracked = Tensor.FromArray([1.0, 2.0, 3.0]);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(untracked, untracked));
        Assert.Contains("backward: output [3] is not recorded on this tape", e.Message);
    }

    [Fact]
    public void A_seed_of_another_shape_is_refused_naming_both_shapes()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = x * 2.0;
        var e = Assert.Throws<ShapeMismatchException>(() => tape.Backward(y, Tensor.FromArray([1.0, 1.0, 1.0])));
        Assert.Contains("backward: [3] x [2]: seed and output shapes differ", e.Message);
        // The matching seed works.
        TensorAssert.Close(Tensor.FromArray([2.0, 4.0]), tape.Backward(y, Tensor.FromArray([1.0, 2.0]))[x]);
    }

    [Fact]
    public void Backward_without_a_seed_needs_exactly_one_element()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var e = Assert.Throws<ShapeMismatchException>(() => tape.Backward(x * 3.0));
        Assert.Contains("backward: [2]: output has 2 elements; pass an output gradient (seed)", e.Message);
        // A one-element output that is not a rank-0 scalar is fine.
        var one = Reshape(Sum(x), 1, 1);
        TensorAssert.Close(Tensor.FromArray([1.0, 1.0]), tape.Backward(one)[x]);
    }

    [Fact]
    public void Asking_the_gradient_of_a_tensor_not_on_the_tape_is_refused_naming_its_shape()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var g = tape.Backward(Sum(x));
        var e = Assert.Throws<InvalidOperationException>(() => g[Tensor.Zeros<double>(2, 3)]);
        Assert.Contains("gradient requested for a tensor [2,3] that is not recorded on this tape", e.Message);
    }

    [Fact]
    public void A_tensor_tracked_after_the_backward_pass_has_a_zero_gradient()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var g = tape.Backward(Sum(x));
        var late = tape.Track(Tensor.FromArray([5.0, 6.0, 7.0]));   // its slot is just past the gradient array
        TensorAssert.Close(Tensor.Zeros<double>(3), g[late]);
    }

    [Fact]
    public void Reading_the_single_gradient_of_a_multi_output_op_whose_first_output_is_unused_names_the_problem()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var outs = CustomMany("pair", [Tensor.FromArray([1.0, 2.0]), Tensor.FromArray([3.0, 4.0])], [x], c => [c.Gradient]);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(Sum(outs[1])));
        Assert.Contains("output 0 received no gradient", e.Message);
    }

    [Fact]
    public void An_op_needs_at_least_one_output()
    {
        var e = Assert.Throws<ArgumentException>(() => CustomMany<double>("empty_op", [], [], c => []));
        Assert.Contains("empty_op: an op needs at least one output", e.Message);
        Assert.Equal("values", e.ParamName);
    }

    [Fact]
    public void Node_ids_run_from_zero_to_count_minus_one()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = Sum(x * 3.0);
        var g = tape.Backward(y);
        Assert.Equal(3, tape.Count);
        TensorAssert.Close(Tensor.Scalar(1.0), g.OfNode(2));            // the last node is fine
        TensorAssert.Close(Tensor.FromArray([3.0, 3.0]), g.OfNode(0));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => g.OfNode(3));
        Assert.Contains("node 3 is outside the tape's 3 nodes", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.OfNode(-1));
    }
}
