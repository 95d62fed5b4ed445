using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// What the backward walk does beside calling the rules: accumulation, skipping, constants, broadcasting, and restoring
/// the recording flag after a failing rule.
/// </summary>
public class TapeBackwardSemanticsTests
{
    [Fact]
    public void A_tensor_used_twice_accumulates_both_gradients()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, -2.0, 3.0]));
        var g = tape.Backward(Sum(x * x));
        TensorAssert.Close(Tensor.FromArray([2.0, -4.0, 6.0]), g[x]);
        var g2 = tape.Backward(Sum(x) + Sum(x * 3.0));
        TensorAssert.Close(Tensor.FromArray([4.0, 4.0, 4.0]), g2[x]);
    }

    [Fact]
    public void A_gradient_of_the_output_shape_is_summed_back_to_a_broadcast_input()
    {
        var tape = new Tape<double>();
        var row = tape.Track(Tensor.FromArray([1.0, 2.0, 3.0]));
        var m = Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
        var g = tape.Backward(Sum(row + m));          // add's rule returns g of shape [2,3] for the [3] input
        TensorAssert.Close(Tensor.FromArray([2.0, 2.0, 2.0]), g[row]);
    }

    [Fact]
    public void The_rule_of_an_op_no_gradient_reaches_is_never_run()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        int calls = 0;
        var unused = Custom("unused", Tensor.FromArray([0.0, 0.0]), [x], c => { calls++; return [c.Gradient]; });
        Assert.True(unused.IsTracked);
        var g = tape.Backward(Sum(x));
        Assert.Equal(0, calls);
        TensorAssert.Close(Tensor.FromArray([1.0, 1.0]), g[x]);
    }

    [Fact]
    public void Ops_recorded_after_the_output_do_not_take_part()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = Sum(x * x);
        int calls = 0;
        _ = Custom("later", Tensor.Scalar(0.0), [y], c => { calls++; return [c.Gradient]; });
        var g = tape.Backward(y);
        Assert.Equal(0, calls);
        TensorAssert.Close(Tensor.FromArray([2.0, 4.0]), g[x]);
    }

    [Fact]
    public void A_gradient_returned_for_a_constant_input_is_ignored()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var constant = Tensor.FromArray([10.0, 20.0]);
        var y = Custom("with_constant", Tensor.FromArray([0.0, 0.0]), [x, constant], c => [c.Gradient, K.Scale(c.Gradient, 100.0)]);
        var g = tape.Backward(Sum(y));
        TensorAssert.Close(Tensor.FromArray([1.0, 1.0]), g[x]);
    }

    [Fact]
    public void A_null_gradient_entry_contributes_nothing()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var w = tape.Track(Tensor.FromArray([3.0, 4.0]));
        var y = Custom("half", Tensor.FromArray([0.0, 0.0]), [x, w], c => [null, c.Gradient]);
        var g = tape.Backward(Sum(y));
        TensorAssert.Close(Tensor.Zeros<double>(2), g[x]);
        TensorAssert.Close(Tensor.FromArray([1.0, 1.0]), g[w]);
    }

    [Fact]
    public void NeedsGradient_is_true_exactly_for_the_tracked_inputs()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0]));
        var needs = new List<bool>();
        var y = Custom("probe", Tensor.Scalar(1.0), [Tensor.FromArray([2.0]), x], c =>
        {
            needs.Add(c.NeedsGradient(0));
            needs.Add(c.NeedsGradient(1));
            Assert.Same(tape, c.Tape);
            return [null, Tensor.Fill(c.Gradient.Data[0], x.Shape)];
        });
        tape.Backward(y);
        Assert.Equal([false, true], needs);
    }

    [Fact]
    public void Recording_resumes_after_a_backward_rule_throws()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = Custom("broken", Tensor.Scalar(0.0), [x], _ => throw new InvalidOperationException("broken rule"));
        Assert.Equal("broken rule", Assert.Throws<InvalidOperationException>(() => tape.Backward(y)).Message);
        int before = tape.Count;
        var z = Sum(x * 2.0);
        Assert.True(z.IsTracked);
        Assert.Equal(before + 2, tape.Count);
        TensorAssert.Close(Tensor.FromArray([2.0, 2.0]), tape.Backward(z)[x]);
    }

    [Fact]
    public void Recording_is_off_inside_a_rule_and_on_again_after_a_successful_pass()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        bool? recordingInside = null;
        var y = Custom("look", Tensor.Scalar(0.0), [x], c => { recordingInside = tape.Recording; return [Tensor.Fill(c.Gradient.Data[0], x.Shape)]; });
        tape.Backward(y);
        Assert.False(recordingInside);
        Assert.True(tape.Recording);
    }

    [Fact]
    public void The_graph_names_which_output_of_a_multi_output_node_an_input_is()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var outs = CustomMany("pair", [Tensor.FromArray([1.0, 2.0]), Tensor.FromArray([3.0, 4.0, 5.0])], [x], c => [null]);
        var z = outs[1] * Tensor.FromArray([1.0, 1.0, 1.0]);
        _ = outs[0] + z.Slice(0, 2);
        var nodes = tape.Nodes;
        Assert.Equal(["leaf", "pair", "multiply", "slice", "add"], nodes.Select(n => n.Op));
        Assert.Equal(new TapeInput(1, new Shape(3), 1), nodes[2].Inputs[0]);
        Assert.Equal(new TapeInput(-1, new Shape(3), 0), nodes[2].Inputs[1]);
        Assert.Equal(new TapeInput(1, new Shape(2), 0), nodes[4].Inputs[0]);
        Assert.Equal(new TapeInput(3, new Shape(2), 0), nodes[4].Inputs[1]);
        Assert.Equal(2, nodes[1].Outputs.Count);
    }

    [Fact]
    public void Released_memory_is_handed_back_once()
    {
        var tape = new Tape<double>();
        int released = 0;
        tape.Release();                      // nothing registered: nothing to do
        tape.OnRelease(() => released++);
        tape.OnRelease(() => released += 10);
        tape.Release();
        tape.Release();
        Assert.Equal(11, released);
    }

    [Fact]
    public void Annotations_are_empty_until_the_first_and_name_the_next_node()
    {
        var tape = new Tape<double>();
        Assert.Empty(tape.Annotations);
        var x = tape.Track(Tensor.FromArray([1.0]));
        tape.Annotate("first note");
        _ = x * 2.0;
        tape.Annotate("second");
        Assert.Equal([new TapeAnnotation(1, "first note"), new TapeAnnotation(2, "second")], tape.Annotations);
        Assert.Equal("@1: first note", tape.Annotations[0].ToString());
    }
}
