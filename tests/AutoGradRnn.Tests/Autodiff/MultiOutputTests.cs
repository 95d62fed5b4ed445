using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>Nodes with several outputs, the one-call backward rule and its context, and the values a TapeNode carries.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Tensors) })]
public class MultiOutputTests
{
    private static Tensor<double> Map(Tensor<double> x, Func<double, double> f) =>
        Tensor.FromArray(x.ToArray().Select(f).ToArray(), x.Shape);

    /// <summary>(x², x³) as ONE node; <paramref name="seen"/> collects the context of every rule call.</summary>
    private static Tensor<double>[] Powers(Tensor<double> x, List<(Tensor<double>? G2, Tensor<double>? G3, bool Needs)>? seen = null) =>
        CustomMany("powers", [Map(x, v => v * v), Map(x, v => v * v * v)], [x], c =>
        {
            seen?.Add((c.OutputGradients[0], c.OutputGradients[1], c.NeedsGradient(0)));
            var g = Tensor.Zeros<double>(x.Shape);
            if (c.OutputGradients[0] is { } g2) g += g2 * Map(x, v => 2 * v);
            if (c.OutputGradients[1] is { } g3) g += g3 * Map(x, v => 3 * v * v);
            return [g];
        });

    [Property]
    public void A_multi_output_op_gradchecks_with_both_outputs_used_and_with_one_unused(TensorCase tc)
    {
        var x = tc.Values();
        var r = tc.Values(salt: 1);
        Assert.True(GradCheck.Check((Tensor<double> t) => { var p = Powers(t); return Sum(p[0] * r) + Sum(Tanh(p[1])); }, x).Passed);
        Assert.True(GradCheck.Check((Tensor<double> t) => Sum(Powers(t)[1] * r), x).Passed);
        Assert.True(GradCheck.Check((Tensor<double> t) => Sum(Powers(t)[0] * r), x).Passed);
    }

    [Property]
    public void The_rule_runs_once_per_backward_pass_with_every_outputs_gradient(TensorCase tc)
    {
        var tape = new Tape<double>();
        var x = tape.Track(tc.Values());
        var r = tc.Values(salt: 1);
        var seen = new List<(Tensor<double>? G2, Tensor<double>? G3, bool Needs)>();
        var p = Powers(x, seen);
        // Each output is consumed twice, so each gradient is accumulated before the rule sees it.
        var loss = Sum(p[0] * r) + Sum(p[0]) + Sum(p[1] * 2.0) + Sum(p[1]);
        Assert.Equal(1, tape.Ops.Count(op => op == "powers"));   // one node for both outputs, no helper nodes
        Assert.Equal(["leaf", "powers"], tape.Ops.Take(2));
        var first = tape.Backward(loss);
        Assert.Single(seen);
        TensorAssert.Close(r + 1.0, seen[0].G2!);
        TensorAssert.Close(Tensor.Fill(3.0, x.Shape), seen[0].G3!);
        TensorAssert.Close(r + 1.0, first[p[0]]);
        TensorAssert.Close(Tensor.Fill(3.0, x.Shape), first[p[1]]);
        tape.Backward(loss);
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void An_output_no_gradient_reached_is_null_and_Gradient_says_so()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, -2.0]));
        var seen = new List<(Tensor<double>? G2, Tensor<double>? G3, bool Needs)>();
        var p = Powers(x, seen);
        var g = tape.Backward(Sum(p[1]));
        Assert.Null(seen.Single().G2);
        TensorAssert.Close(Tensor.Fill(1.0, 2), seen.Single().G3!);
        TensorAssert.Close(Tensor.FromArray([3.0, 12.0]), g[x]);
        TensorAssert.Close(Tensor.Zeros<double>(2), g[p[0]]);   // the unused output: zeros, as for any unused tensor

        var y = CustomMany("first_used", [x.Detach(), x.Detach()], [x], c => [c.Gradient]);
        Assert.Contains("OutputGradients", Assert.Throws<InvalidOperationException>(() => tape.Backward(Sum(y[1]))).Message);
    }

    [Fact]
    public void The_rule_learns_which_inputs_need_a_gradient_and_what_it_returns_for_the_others_is_ignored()
    {
        var tape = new Tape<double>();
        var w = tape.Track(Tensor.FromArray([2.0, 3.0]));
        var data = Tensor.FromArray([5.0, 7.0]);
        var needs = new List<bool[]>();
        var y = Custom("product", w.Detach() * data, [data, w], c =>
        {
            needs.Add([c.NeedsGradient(0), c.NeedsGradient(1)]);
            return [Tensor.Fill(double.NaN, 9), c.Gradient * data];   // the constant's entry is garbage on purpose: never used
        });
        var g = tape.Backward(Sum(y));
        Assert.Equal([false, true], needs.Single());
        TensorAssert.Close(data, g[w]);
    }

    [Fact]
    public void A_seed_on_one_output_of_a_multi_output_node_reaches_its_rule_alone()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, -2.0]));
        var seen = new List<(Tensor<double>? G2, Tensor<double>? G3, bool Needs)>();
        var p = Powers(x, seen);
        var g = tape.Backward(p[1], Tensor.FromArray([10.0, 1.0]));   // vector–Jacobian product of x³ alone
        Assert.Null(seen.Single().G2);
        TensorAssert.Close(Tensor.FromArray([10.0, 1.0]), seen.Single().G3!);
        TensorAssert.Close(Tensor.FromArray([30.0, 12.0]), g[x]);
    }

    [Fact]
    public void A_rule_returning_the_wrong_number_of_gradients_is_named()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0]));
        var y = Custom("too_many", x.Detach(), [x], c => [c.Gradient, c.Gradient]);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(Sum(y)));
        Assert.Contains("too_many", e.Message);
        Assert.Contains("2 gradients for 1 inputs", e.Message);
    }

    [Fact]
    public void The_rule_gets_the_recording_tape()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        Tape<double>? seen = null;
        var y = Custom("id", x.Detach(), [x], c => { seen = c.Tape; return [c.Gradient]; });
        tape.Backward(Sum(y));
        Assert.Same(tape, seen);
        Assert.False(seen!.SingleBackward);

        // A gradient transform's private tape runs one backward pass, and says so to the rules (the fused cells read it).
        bool single = false;
        Autodiff.Grad((Tensor<double> t) => Sum(Custom("id", t.Detach(), [t], c => { single = c.Tape.SingleBackward; return [c.Gradient]; })))(x.Detach());
        Assert.True(single);
    }

    [Property]
    public void Tape_nodes_carry_the_forward_values_and_their_gradients_can_be_looked_up(TensorCase tc)
    {
        var tape = new Tape<double>();
        var x = tape.Track(tc.Values());
        var h = Tanh(x);
        var p = Powers(h);
        var loss = Sum(p[0]) + Sum(p[1] * x);
        var nodes = tape.Nodes;
        Assert.Equal(["leaf", "tanh", "powers", "sum", "multiply", "sum", "add"], nodes.Select(n => n.Op));
        Assert.Same(x, nodes[0].Value);
        Assert.Same(h, nodes[1].Value);
        Assert.Equal(2, nodes[2].Outputs.Count);
        Assert.Same(p[0], nodes[2].Outputs[0]);
        Assert.Same(p[1], nodes[2].Outputs[1]);
        Assert.Same(loss, nodes[^1].Value);
        TensorAssert.Close(Map(x, Math.Tanh), nodes[1].Value);
        // Edges name the producing node and which of its outputs: sum reads output 0 of node 2, multiply output 1.
        Assert.Equal((2, 0), (nodes[3].Inputs[0].Id, nodes[3].Inputs[0].Output));
        Assert.Equal((2, 1), (nodes[4].Inputs[0].Id, nodes[4].Inputs[0].Output));
        Assert.Equal((0, 0), (nodes[4].Inputs[1].Id, nodes[4].Inputs[1].Output));
        var g = tape.Backward(loss);
        TensorAssert.Close(g[h], g.OfNode(1));
        TensorAssert.Close(g[p[0]], g.OfNode(2));   // OfNode: the first output
        TensorAssert.Close(x, g[nodes[2].Outputs[1]]);
        TensorAssert.Close(g[x], g.OfNode(0));
    }

    [Fact]
    public void CustomMany_without_tracked_inputs_returns_the_values_untracked_and_refuses_no_outputs()
    {
        var a = Tensor.FromArray([1.0]);
        var outs = CustomMany("pair", [a, a], [a], c => throw new InvalidOperationException("never called"));
        Assert.All(outs, o => Assert.False(o.IsTracked));
        Assert.Throws<ArgumentException>(() => CustomMany("none", [], [a], c => []));
    }
}
