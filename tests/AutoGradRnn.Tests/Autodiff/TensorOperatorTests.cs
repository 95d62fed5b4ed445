using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Each operator overload computes its own op with its operands in order (a − b, not b − a; s − x, not x − s) and records
/// the op and attributes a tracer reads back.
/// </summary>
public class TensorOperatorTests
{
    private static readonly Tensor<double> A = Tensor.FromArray([6.0, 8.0]);
    private static readonly Tensor<double> B = Tensor.FromArray([2.0, 4.0]);

    [Fact]
    public void Binary_operators_keep_their_operand_order()
    {
        Assert.Equal([8.0, 12.0], (A + B).ToArray());
        Assert.Equal([4.0, 4.0], (A - B).ToArray());
        Assert.Equal([-4.0, -4.0], (B - A).ToArray());
        Assert.Equal([12.0, 32.0], (A * B).ToArray());
        Assert.Equal([3.0, 2.0], (A / B).ToArray());
        Assert.Equal([-6.0, -8.0], (-A).ToArray());
    }

    [Fact]
    public void Scalar_operators_on_either_side()
    {
        Assert.Equal([7.0, 9.0], (A + 1.0).ToArray());
        Assert.Equal([7.0, 9.0], (1.0 + A).ToArray());
        Assert.Equal([5.0, 7.0], (A - 1.0).ToArray());
        Assert.Equal([-5.0, -7.0], (1.0 - A).ToArray());
        Assert.Equal([-5.0, -7.0], OneMinus(A).ToArray());
        Assert.Equal([18.0, 24.0], (A * 3.0).ToArray());
        Assert.Equal([18.0, 24.0], (3.0 * A).ToArray());
        Assert.Equal([1.5, 2.0], (A / 4.0).ToArray());
    }

    [Fact]
    public void Method_forms_forward_to_their_ops()
    {
        var m = Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3);
        Assert.Equal(21.0, m.Sum().Data[0]);
        Assert.Equal(3.5, m.Mean().Data[0]);
        Assert.Equal([5.0, 7.0, 9.0], m.Sum(0).ToArray());
        Assert.Equal(new Shape(1, 3), m.Sum(0, keepDims: true).Shape);
        Assert.Equal([2.0, 5.0], m.Mean(1).ToArray());
        Assert.Equal(new Shape(2, 1), m.Mean(1, keepDims: true).Shape);
        Assert.Equal(new Shape(3, 2), m.Reshape(3, 2).Shape);
        Assert.Equal([1.0, 4.0, 2.0, 5.0, 3.0, 6.0], m.Transpose().ToArray());
        Assert.Equal([2.0, 5.0], m.Slice(1, 1).ToArray());
        Assert.Equal([4.0, 5.0, 6.0], m.Slice(1, 1, axis: 0).ToArray());
        var eye = Tensor.FromArray([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], 3, 2);
        Assert.Equal([1.0, 2.0, 4.0, 5.0], m.MatMul(eye).ToArray());
        Assert.Equal([1.0, 4.0, 2.0, 5.0], m.MatMul(eye, transposeThis: false).MatMul(Tensor.FromArray([1.0, 0.0, 0.0, 1.0], 2, 2), transposeOther: true).Transpose().ToArray());
    }

    [Fact]
    public void Operators_record_the_op_a_tracer_reads_with_its_scalar()
    {
        var tape = new Tape<double>();
        var x = tape.Track(A);
        _ = x + 1.5;
        _ = 2.5 + x;
        _ = x - 3.0;
        _ = 4.0 - x;
        _ = x * 5.0;
        _ = 6.0 * x;
        _ = x / 8.0;
        _ = x - B;
        _ = B / x;
        _ = -x;
        var ops = tape.Recorded.Skip(1).ToList();
        Assert.Equal(["add_scalar", "add_scalar", "add_scalar", "rsub_scalar", "mul_scalar", "mul_scalar", "mul_scalar", "subtract", "divide", "negate"],
            ops.Select(o => o.Op));
        Assert.Equal([1.5, 2.5, -3.0, 4.0, 5.0, 6.0, 0.125], ops.Take(7).Select(o => o.Attributes.Scalar));
        Assert.Same(B, ops[8].Inputs[0]);                  // b / x keeps b first
        Assert.Same(x, ops[7].Inputs[0]);
    }

    [Fact]
    public void Shape_ops_record_their_normalised_axes_and_ranges()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.Zeros<double>(2, 3, 4));
        var w = tape.Track(Tensor.Zeros<double>(4, 5));
        _ = Slice(x, 1, 2, axis: -2);
        _ = Transpose(x, 0, -1);
        _ = Sum(x, -1);
        _ = Concat([x, x], 1);
        _ = MatMul(x, w);
        _ = MatMul(Tensor.Zeros<double>(5, 2), w, transposeA: true, transposeB: true);
        _ = Gather(w, [3, 1]);
        var r = tape.Recorded.Skip(2).ToList();
        Assert.Equal(["slice", "transpose", "sum_axis", "concat", "matmul", "matmul", "gather"], r.Select(o => o.Op));
        Assert.Equal((1, 1, 2), (r[0].Attributes.Axis, r[0].Attributes.Start, r[0].Attributes.Length));
        Assert.Equal((0, 2), (r[1].Attributes.Axis, r[1].Attributes.Axis1));
        Assert.Equal(2, r[2].Attributes.Axis);
        Assert.Equal(1, r[3].Attributes.Axis);
        Assert.Equal((0, 0), (r[4].Attributes.Axis, r[4].Attributes.Axis1));
        Assert.Equal((1, 1), (r[5].Attributes.Axis, r[5].Attributes.Axis1));
        Assert.Equal([3, 1], (int[])r[6].Attributes.Data!);
    }

    [Fact]
    public void Transposing_an_axis_with_itself_records_nothing()
    {
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.Zeros<double>(2, 3));
        Assert.Same(x, Transpose(x, 1, -1));
        Assert.Equal(1, tape.Count);
    }
}
