using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// What the gradient checks cannot see about the ops: the name each records on the tape (anomaly reports, the traced ONNX
/// export and tape dumps read it), the op named by each error, softmax's max shift at logits whose exponential overflows,
/// the losses' values and their scaling by the incoming gradient, and how often a directional gradcheck evaluates f.
/// Each was a mutant that survived the Autodiff tests (docs/reliability.md).
/// </summary>
public class OpContractTests
{
    private static Tensor<double> V(params double[] values) => Tensor.FromArray(values);

    private static Tensor<double> M(int rows, int cols, params double[] values) => Tensor.FromArray(values, rows, cols);

    public static TheoryData<string> OpNames() =>
        ["sigmoid", "relu", "softmax", "masked_softmax", "log_softmax", "square", "abs", "dropout", "mse", "cross_entropy_rows",
         "layer_norm", "mean", "reshape", "transpose", "sum", "subtract", "divide"];

    /// <summary>Calls the op named <paramref name="name"/> on tensors tracked by <paramref name="tape"/>.</summary>
    private static void Call(string name, Tape<double> tape)
    {
        var x = tape.Track(M(2, 3, 0.5, -1, 2, 1.5, 0.25, -0.75));
        var y = tape.Track(M(2, 3, 1, 2, 3, 4, 5, 6));
        _ = name switch
        {
            "sigmoid" => Sigmoid(x),
            "relu" => Relu(x),
            "softmax" => Softmax(x),
            "masked_softmax" => MaskedSoftmax(x, M(2, 3, 1, 0, 1, 1, 1, 0)),
            "log_softmax" => LogSoftmax(x),
            "square" => Square(x),
            "abs" => Abs(x),
            "dropout" => Dropout(x, M(2, 3, 2, 0, 2, 2, 0, 2)),
            "mse" => MeanSquaredError(x, y),
            "cross_entropy_rows" => CrossEntropyPerRow(x, [0, 2]),
            "layer_norm" => LayerNorm(x, tape.Track(V(1, 1, 1)), tape.Track(V(0, 0, 0))),
            "mean" => Mean(x),
            "reshape" => Reshape(x, 3, 2),
            "transpose" => Transpose(x),
            "sum" => Sum(x),
            "subtract" => Subtract(x, y),
            "divide" => Divide(x, y),
            _ => throw new ArgumentException(name),
        };
    }

    [Theory, MemberData(nameof(OpNames))]
    public void Each_op_records_its_name_on_the_tape(string name)
    {
        var tape = new Tape<double>();
        Call(name, tape);
        Assert.Equal(name, tape.Ops[^1]);
    }

    [Fact]
    public void An_axis_out_of_range_names_the_op_that_was_given_it()
    {
        var x = M(2, 3, 1, 2, 3, 4, 5, 6);
        foreach (var (op, call) in new (string, Action)[]
                 {
                     ("log_softmax", () => LogSoftmax(x, 2)), ("sum", () => Sum(x, 2)), ("mean", () => Mean(x, -3)),
                     ("transpose", () => Transpose(x, 2, 0)), ("transpose", () => Transpose(x, 0, -3)),
                 })
            Assert.StartsWith($"{op}: axis ", Assert.Throws<ArgumentOutOfRangeException>(call).Message);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_or_concatenate_name_the_op()
    {
        var (a, b) = (V(1, 2), V(1, 2, 3));
        Assert.StartsWith("subtract: [2] x [3]: dimensions 2 and 3", Assert.Throws<ShapeMismatchException>(() => Subtract(a, b)).Message);
        Assert.StartsWith("divide: [2] x [3]: dimensions 2 and 3", Assert.Throws<ShapeMismatchException>(() => Divide(a, b)).Message);
        var concat = Assert.Throws<ShapeMismatchException>(() => Concat([M(2, 3, 1, 2, 3, 4, 5, 6), M(3, 2, 1, 2, 3, 4, 5, 6)], 0));
        Assert.Equal("concat: [2,3] x [3,2]: shapes must agree on every axis except 0", concat.Message);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => Split<double>(null!, 2)).ParamName);
    }

    [Fact]
    public void Grad_names_a_function_that_returns_null_or_more_than_a_scalar()
    {
        var w = V(1, 2, 3);
        Assert.Equal("f(p)", Assert.Throws<ArgumentNullException>(() => Autodiff.Grad((Tensor<double> p) => (Tensor<double>)null!)(w)).ParamName);
        var many = Assert.Throws<ShapeMismatchException>(() => Autodiff.Grad((Tensor<double> p) => p * 2.0)(w));
        Assert.Equal("grad: [3]: the function must return a scalar, but returned 3 elements", many.Message);
    }

    [Fact]
    public void The_softmaxes_shift_by_the_row_maximum_so_logits_whose_exponential_overflows_stay_finite()
    {
        var x = M(1, 3, 1000, 999, 0);   // e^1000 overflows a double
        double e = Math.Exp(-1);
        TensorAssert.Close(M(1, 3, 1 / (1 + e), e / (1 + e), 0), Softmax(x), 1e-12, 1e-12);
        TensorAssert.Close(M(1, 3, -Math.Log(1 + e), -1 - Math.Log(1 + e), -1000 - Math.Log(1 + e)), LogSoftmax(x), 1e-9, 1e-9);
        TensorAssert.Close(M(1, 3, 1 / (1 + e), e / (1 + e), 0), MaskedSoftmax(x, M(1, 3, 1, 1, 0)), 1e-12, 1e-12);
    }

    [Fact]
    public void The_losses_have_their_documented_values()
    {
        var prediction = M(2, 2, 1, 2, 3, 4);
        var target = M(2, 2, 0, 4, 3, 1);   // differences 1, −2, 0, 3
        Assert.Equal(1.5, MeanAbsoluteError(prediction, target).ToScalar(), 12);
        var mask = V(1, 0);   // the first row only
        Assert.Equal(2.5, MeanSquaredError(prediction, target, mask).ToScalar(), 12);   // (1 + 4) / 2
        Assert.Equal(1.5, MeanAbsoluteError(prediction, target, mask).ToScalar(), 12);  // (1 + 2) / 2
        var mismatch = Assert.Throws<ShapeMismatchException>(() => MeanSquaredError(prediction, V(1, 2, 3, 4), mask));
        Assert.Equal("mse: [2,2] x [4]: prediction and target shapes differ", mismatch.Message);
        // Masked cross-entropy is the mean over the selected rows: with three rows selected, not their sum or sum·3.
        var logits = M(3, 2, 0, 0, 0, Math.Log(3), 0, 0);
        double expected = (Math.Log(2) + Math.Log(4.0 / 3) + Math.Log(2)) / 3;
        Assert.Equal(expected, CrossEntropy(logits, [0, 1, 1], V(1, 1, 1)).ToScalar(), 12);
    }

    [Fact]
    public void A_loss_gradient_scales_with_the_gradient_arriving_from_above()
    {
        var target = M(2, 2, 0, 4, 3, 1);
        var g = Autodiff.Grad((Tensor<double> p) => MeanSquaredError(p, target) * 3.0)(M(2, 2, 1, 2, 3, 4));
        TensorAssert.Close(M(2, 2, 1.5, -3, 0, 4.5), g, 1e-12, 1e-12);   // 3 · 2(ŷ − y)/4
        var gTarget = Autodiff.Grad((Tensor<double> t) => MeanSquaredError(M(2, 2, 1, 2, 3, 4), t) * 3.0)(target);
        TensorAssert.Close(M(2, 2, -1.5, 3, 0, -4.5), gTarget, 1e-12, 1e-12);
    }

    [Fact]
    public void Cross_entropy_over_logits_with_no_classes_is_refused_as_having_no_rows()
    {
        var empty = Tensor.Zeros<double>(2, 0);
        Assert.Equal("cross_entropy: [2,0]: no rows of logits", Assert.Throws<ShapeMismatchException>(() => CrossEntropyPerRow(empty, [])).Message);
        Assert.Contains("selects no rows", Assert.Throws<ArgumentException>(() => CrossEntropy(empty, [], Tensor.Zeros<double>(0))).Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_directional_gradcheck_evaluates_f_three_times_per_direction(int directions)
    {
        int calls = 0;
        var r = GradCheck.Check((Tensor<double> p) => { calls++; return Sum(p * p); }, V(1, 2),
            new GradCheckOptions { Mode = GradCheckMode.Directional, Directions = directions });
        Assert.True(r.Passed, r.Report);
        Assert.Equal(3 * directions, calls);   // tracked, +ε·u and −ε·u
        Assert.Equal(directions, r.Compared);
    }
}
