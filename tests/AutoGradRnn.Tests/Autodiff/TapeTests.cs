using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public class TapeTests
{
    [Fact]
    public void Operations_on_untracked_tensors_record_nothing()
    {
        var tape = new Tape<double>();
        var w = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var data = Tensor.FromArray([3.0, 4.0]);
        var constant = Tanh(data * data + 1.0);       // no tracked input: never touches the tape
        Assert.False(constant.IsTracked);
        Assert.Equal(1, tape.Count);
        var y = Sum(w * constant);
        Assert.True(y.IsTracked);
        Assert.Equal(["leaf", "multiply", "sum"], tape.Ops);
        var g = tape.Backward(y);
        TensorAssert.Close(constant, g[w]);
    }

    [Fact]
    public void The_recorded_graph_lists_ops_shapes_and_edges()
    {
        var tape = new Tape<double>();
        var w = tape.Track(Tensor.Ones<double>(3, 2));
        var x = Tensor.Ones<double>(4, 3);                   // data: an edge from a constant
        var h = Tanh(MatMul(x, w));
        var loss = Sum(h);
        var nodes = tape.Nodes;
        Assert.Equal(["leaf", "matmul", "tanh", "sum"], nodes.Select(n => n.Op));
        Assert.Equal([-1, 0], nodes[1].Inputs.Select(i => i.Id));
        Assert.Equal(new Shape(4, 3), nodes[1].Inputs[0].Shape);
        Assert.Equal(new Shape(4, 2), nodes[2].Output);
        var g = tape.Backward(loss);
        TensorAssert.Close(g[h], g.OfNode(2));
        TensorAssert.Close(g[w], g.OfNode(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.OfNode(9));
    }

    [Fact]
    public void Backward_can_run_twice_and_gives_zeros_for_unused_leaves()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0, 3.0]));
        var unused = tape.Track(Tensor.FromArray([5.0]));
        var y = Sum(Square(x));
        var g1 = tape.Backward(y);
        var g2 = tape.Backward(y);
        TensorAssert.Close(g1[x], g2[x]);
        TensorAssert.Close(Tensor.Zeros<double>(1), g1[unused]);
    }

    [Fact]
    public void Gradients_of_intermediate_values_are_available()
    {
        // ∂L/∂h for an intermediate h: what notebooks plot as gradient norms over time.
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([0.5, -0.5]));
        var h = Tanh(x);
        var loss = Sum(h * 3.0);
        TensorAssert.Close(Tensor.Fill(3.0, 2), tape.Backward(loss)[h]);
    }

    [Fact]
    public void Vector_jacobian_product_with_a_seed()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([1.0, 2.0]));
        var y = x * x;
        var g = tape.Backward(y, Tensor.FromArray([10.0, 100.0]));
        TensorAssert.Close(Tensor.FromArray([20.0, 400.0]), g[x]);
    }

    [Fact]
    public void Backward_rules_that_compute_with_tracked_tensors_do_not_grow_the_tape()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([0.5, -1.0]));
        // A user-defined op whose backward uses the captured (tracked) input with ordinary operators.
        var y = Ops.Custom("cube", Tensor.FromArray(x.ToArray().Select(v => v * v * v).ToArray()), [x], c => [c.Gradient * x * x * 3.0]);
        var loss = Sum(y);
        int before = tape.Count;
        var grad = tape.Backward(loss)[x];
        Assert.Equal(before, tape.Count);
        Assert.False(grad.IsTracked);
        TensorAssert.Close(Tensor.FromArray([0.75, 3.0]), grad);
        Assert.True(Sum(x * 2.0).IsTracked);           // recording resumes after the backward pass
    }

    [Fact]
    public void Detach_stops_gradients()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.FromArray([2.0]));
        var y = Sum(x * x.Detach());   // only one factor carries gradient
        TensorAssert.Close(Tensor.FromArray([2.0]), tape.Backward(y)[x]);
    }

    [Fact]
    public void Mixing_tapes_and_foreign_tensors_is_an_error()
    {
        var t1 = new Tape<double>();
        var t2 = new Tape<double>();
        var a = t1.Track(Tensor.FromArray([1.0]));
        var b = t2.Track(Tensor.FromArray([1.0]));
        Assert.Contains("two different tapes", Assert.Throws<InvalidOperationException>(() => a + b).Message);
        var y = Sum(a);
        Assert.Throws<InvalidOperationException>(() => t1.Backward(y)[b]);
        Assert.Throws<InvalidOperationException>(() => t2.Backward(y));
        Assert.Throws<ShapeMismatchException>(() => t1.Backward(a * Tensor.FromArray([1.0, 2.0])));
    }

    [Fact]
    public void Anomaly_mode_names_the_first_op_that_produces_nan_in_forward()
    {
        var tape = new Tape<double>(detectAnomaly: true);
        var x = tape.Track(Tensor.FromArray([1.0, -1.0], 1, 2));
        var e = Assert.Throws<AnomalyException>(() => Log(x));
        Assert.Equal("log", e.Op);
        Assert.Equal("forward", e.Pass);
        Assert.Contains("[1,2]", e.Message);
        // without anomaly mode the NaN flows on silently, as in PyTorch
        Assert.False(Log(new Tape<double>().Track(Tensor.FromArray([-1.0]))).IsFinite());
    }

    [Fact]
    public void Anomaly_mode_names_the_op_whose_backward_produces_inf()
    {
        var e = Assert.Throws<AnomalyException>(() =>
            Autodiff.With(new AutodiffOptions { DetectAnomaly = true }).Grad((Tensor<double> x) => Sum(Sqrt(x)))(Tensor.FromArray([0.0, 4.0])));
        Assert.Equal("sqrt", e.Op);
        Assert.Equal("backward", e.Pass);
    }

    [Fact]
    public void Independent_tapes_on_parallel_threads_give_the_sequential_results()
    {
        var inputs = Enumerable.Range(0, 64).Select(i => Tensor.RandomNormal<double>(new Shape(8, 8), i)).ToArray();
        var grad = Autodiff.Grad((Tensor<double> w) => Sum(Tanh(MatMul(w, w)) * Sigmoid(w)));
        var sequential = inputs.Select(grad).ToArray();
        var parallel = new Tensor<double>[inputs.Length];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = grad(inputs[i]));
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(sequential[i].ToArray(), parallel[i].ToArray());
    }
}
