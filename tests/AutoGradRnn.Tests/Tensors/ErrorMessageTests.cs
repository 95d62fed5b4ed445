using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>Every bad input gets a typed exception whose message names the op and the shapes or values.</summary>
public class ErrorMessageTests
{
    private static string Message<TException>(Action a) where TException : Exception => Assert.Throws<TException>(a).Message;

    [Fact]
    public void MatMul_names_both_shapes_and_the_inner_dimensions()
    {
        var a = Tensor.Zeros<float>(32, 65);
        var b = Tensor.Zeros<float>(64, 256);
        var e = Assert.Throws<ShapeMismatchException>(() => MatMul(a, b));
        Assert.Equal("matmul: [32,65] x [64,256]: inner dimensions 65 and 64 differ", e.Message);
        Assert.Equal("matmul", e.Op);
        Assert.Equal([a.Shape, b.Shape], e.Shapes);
        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Contains("B must be a matrix", Message<ShapeMismatchException>(() => MatMul(a, Tensor.Zeros<float>(65))));
        Assert.Contains("(A transposed)", Message<ShapeMismatchException>(() => MatMul(a, b, transposeA: true)));
    }

    [Fact]
    public void Shape_op_errors_name_the_shapes()
    {
        var x = Tensor.Zeros<double>(2, 3);
        Assert.Equal("concat: [2,3] x [3,3]: shapes must agree on every axis except -1", Message<ShapeMismatchException>(() => Concat(x, Tensor.Zeros<double>(3, 3))));
        Assert.Contains("range [2, 5) is outside axis -1 of size 3 in shape [2,3]", Message<ArgumentOutOfRangeException>(() => Slice(x, 2, 3)));
        Assert.Contains("6 elements cannot take a shape of 4", Message<ShapeMismatchException>(() => x.Reshape(2, 2)));
        Assert.Contains("sizes [1,1] do not add up to axis -1 of size 3", Message<ShapeMismatchException>(() => Split(x, [1, 1])));
        Assert.Contains("axis 2 is out of range for shape [2,3]", Message<ArgumentOutOfRangeException>(() => Sum(x, 2)));
        Assert.Contains("all tensors must have the same shape", Message<ShapeMismatchException>(() => Stack([x, Tensor.Zeros<double>(3)])));
    }

    [Fact]
    public void Loss_errors_name_shapes_and_values()
    {
        Assert.Equal("mse: [4,1] x [4]: prediction and target shapes differ",
            Message<ShapeMismatchException>(() => MeanSquaredError(Tensor.Zeros<double>(4, 1), Tensor.Zeros<double>(4))));
        Assert.Contains("3 targets for 2 rows", Message<ShapeMismatchException>(() => CrossEntropy(Tensor.Zeros<double>(2, 5), [0, 1, 2])));
        Assert.Contains("target 5 at row 1 is outside the 5 classes", Message<ArgumentOutOfRangeException>(() => CrossEntropy(Tensor.Zeros<double>(2, 5), [0, 5])));
        Assert.Contains("index 7 at position 0 is outside the 3 rows", Message<ArgumentOutOfRangeException>(() => Gather(Tensor.Zeros<double>(3, 2), [7])));
        Assert.Contains("index -1 at position 0", Message<ArgumentOutOfRangeException>(() => Tensor.OneHot<double>([-1], 3)));
    }

    [Fact]
    public void Creation_errors_name_sizes()
    {
        Assert.Contains("dimension -2 is negative", Message<ArgumentOutOfRangeException>(() => Tensor.Zeros<double>(3, -2)));
        Assert.Contains("5 values cannot fill shape [2,2]", Message<ShapeMismatchException>(() => Tensor.FromArray(new double[5], 2, 2)));
        Assert.Contains("row 1 has 1 values, row 0 has 2", Message<ShapeMismatchException>(() => Tensor.FromRows([1.0, 2.0], [3.0])));
        Assert.Contains("index [2,0] is outside shape [2,2]", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros<double>(2, 2)[2, 0]).Message);
        Assert.Equal("index: []: [0] has 1 components for a tensor of rank 0", Assert.Throws<ShapeMismatchException>(() => Tensor.Scalar(1.0)[0]).Message);
        Assert.Contains("std -1 must be finite", Message<ArgumentOutOfRangeException>(() => Tensor.RandomNormal<double>(new Shape(2), 1, 0, -1)));
        Assert.Contains("tensor has 2 elements, expected 1", Message<ShapeMismatchException>(() => Tensor.Zeros<double>(2).ToScalar()));
    }
}
