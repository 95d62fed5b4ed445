namespace AutoGradRnn.Tests;

public class TensorTests
{
    [Fact]
    public void Creation_from_arrays_and_fills()
    {
        var m = Tensor.FromRows([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
        Assert.Equal(new Shape(2, 3), m.Shape);
        Assert.Equal(6.0, m[1, 2]);
        Assert.Equal(6.0, m[-1, -1]);
        Assert.Equal(m.ToArray(), Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }).ToArray());
        Assert.Equal(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, m.ToArray2D());
        Assert.Equal(0, Tensor.Scalar(2.5f).Rank);
        Assert.Equal([0f, 0f], Tensor.Zeros<float>(2).ToArray());
        Assert.Equal([1.0, 1.0], Tensor.Ones<double>(1, 2).ToArray());
        Assert.Equal([7.0, 7.0, 7.0], Tensor.Fill(7.0, 3).ToArray());
        Assert.Equal(new Shape(2, 3, 4), Tensor.Zeros<double>(2, 3, 4).Shape);
    }

    [Fact]
    public void Tensors_are_immutable()
    {
        var source = new[] { 1.0, 2.0 };
        var t = Tensor.FromArray(source);
        source[0] = 99;                  // the tensor copied its input
        var copy = t.ToArray();
        copy[1] = 99;                    // and hands out copies
        Assert.Equal([1.0, 2.0], t.ToArray());
        var r = t.Reshape(2, 1);         // shares storage, but nothing can write to it
        Assert.Equal(t.ToArray(), r.ToArray());
    }

    [Fact]
    public void Seeded_random_tensors_are_reproducible()
    {
        var a = Tensor.RandomNormal<double>(new Shape(100), seed: 42);
        var b = Tensor.RandomNormal<double>(new Shape(100), seed: 42);
        var c = Tensor.RandomNormal<double>(new Shape(100), seed: 43);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        var u = Tensor.RandomUniform<float>(new Shape(10000), 1, -2, 3).ToArray();
        Assert.All(u, v => Assert.InRange(v, -2f, 3f));
        var n = Tensor.RandomNormal<double>(new Shape(20000), 5, mean: 1, std: 2).ToArray();
        double mean = n.Average();   // once: recomputed per element it made this test quadratic (8 s)
        Assert.Equal(1.0, mean, 0.05);
        Assert.Equal(2.0, Math.Sqrt(n.Select(v => (v - mean) * (v - mean)).Average()), 0.05);
    }

    [Fact]
    public void ToString_shows_shape_and_values_and_elides_large_axes()
    {
        var s = Tensor.FromRows([1.0, 2.5], [3.0, 4.0]).ToString();
        Assert.StartsWith("Tensor<Double> [2,2]", s);
        Assert.Contains("[[1, 2.5],", s);
        var big = Tensor.Zeros<float>(100).ToString();
        Assert.Contains("…", big);
        Assert.True(big.Length < 80, big);
        Assert.Equal("Tensor<Double> [] 3", Tensor.Scalar(3.0).ToString());
    }

    [Fact]
    public void A_scalar_interpolated_in_a_string_stays_on_one_line()
    {
        var loss = Ops.Mean(Tensor.FromArray([1.0, 2.0]));
        Assert.Equal("loss: Tensor<Double> [] 1.5", $"loss: {loss}");
        var tape = new Tape<double>();
        Assert.Equal("Tensor<Double> [] (tracked) 2", tape.Track(Tensor.Scalar(2.0)).ToString());
    }

    [Fact]
    public void AllClose_uses_relative_and_absolute_tolerance()
    {
        var a = Tensor.FromArray([1.0, 1000.0]);
        Assert.True(a.AllClose(Tensor.FromArray([1.0 + 1e-9, 1000.0 + 1e-3]), rtol: 1e-5, atol: 1e-8));
        Assert.False(a.AllClose(Tensor.FromArray([1.1, 1000.0])));
        Assert.False(a.AllClose(Tensor.FromArray([1.0, 1000.0, 3.0])));
        Assert.False(Tensor.FromArray([double.NaN]).AllClose(Tensor.FromArray([double.NaN])));
    }

    [Fact]
    public void Broadcasting_follows_numpy()
    {
        var m = Tensor.FromRows([1.0, 2.0], [3.0, 4.0]);
        Assert.Equal([11.0, 22.0, 13.0, 24.0], (m + Tensor.FromArray([10.0, 20.0])).ToArray());        // bias row
        Assert.Equal([11.0, 12.0, 23.0, 24.0], (m + Tensor.FromArray([10.0, 20.0], 2, 1)).ToArray());  // column
        Assert.Equal([2.0, 3.0, 4.0, 5.0], (m + Tensor.Scalar(1.0)).ToArray());
        var outer = Tensor.FromArray([1.0, 2.0], 2, 1) * Tensor.FromArray([1.0, 10.0, 100.0], 1, 3);    // [2,1]·[1,3] → [2,3]
        Assert.Equal([1.0, 10.0, 100.0, 2.0, 20.0, 200.0], outer.ToArray());
        var batch = Tensor.Zeros<double>(2, 3, 2) + Tensor.FromArray([1.0, 2.0]);
        Assert.Equal(new Shape(2, 3, 2), batch.Shape);
        var e = Assert.Throws<ShapeMismatchException>(() => m + Tensor.Zeros<double>(3));
        Assert.Equal("add: [2,2] x [3]: dimensions 2 and 3 (axis -1) neither match nor are 1, so the shapes do not broadcast", e.Message);
    }

    [Fact]
    public void Element_type_conversion()
    {
        var d = Tensor.FromArray([1.5, -2.25]);
        var f = Tensor.Convert<double, float>(d);
        Assert.Equal([1.5f, -2.25f], f.ToArray());
    }
}
