namespace AutoGradRnn.Tests;

public static class TensorAssert
{
    public static void Close<T>(Tensor<T> expected, Tensor<T> actual, double rtol = 1e-10, double atol = 1e-12)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(actual.AllClose(expected, rtol, atol),
            $"tensors differ (max abs diff {actual.MaxAbsDifference(expected):G4})\nexpected {expected}\nactual {actual}");
    }
}
