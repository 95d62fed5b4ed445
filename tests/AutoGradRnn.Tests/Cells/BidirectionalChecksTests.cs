namespace AutoGradRnn.Tests;

/// <summary>A bidirectional pair names a null direction and an input of the wrong rank, from every overload.</summary>
public class BidirectionalChecksTests
{
    private static readonly Lstm<double> Cell = Lstm<double>.Create(3, 4, 1);

    [Fact]
    public void A_null_direction_is_named_even_when_both_initial_states_are_given()
    {
        var x = Tensor.Zeros<double>(2, 5, 3);
        var s = Cell.InitialState(2);
        var noBackward = new Bidirectional<LstmState<double>, double>(Cell, null!);
        var e = Assert.Throws<ArgumentNullException>(() => noBackward.Unroll(x, s, s));
        Assert.Equal("Backward", e.ParamName);
        Assert.StartsWith("bidirectional: the backward cell is null", e.Message, StringComparison.Ordinal);
        var noForward = new Bidirectional<LstmState<double>, double>(null!, Cell);
        e = Assert.Throws<ArgumentNullException>(() => noForward.Unroll(x, s, s));
        Assert.Equal("Forward", e.ParamName);
        Assert.StartsWith("bidirectional: the forward cell is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_that_is_not_batch_time_features_is_refused_by_every_overload()
    {
        var bi = new Bidirectional<LstmState<double>, double>(Cell, Lstm<double>.Create(3, 2, 2));
        Assert.Equal(6, bi.OutputSize);
        var s = Cell.InitialState(2);
        // A scalar has no batch size to build the initial states from: the rank is checked before they are.
        foreach (var bad in new[] { Tensor.Zeros<double>(2, 3), Tensor.Scalar(1.0) })
            foreach (var act in new Func<object>[] { () => bi.Unroll(bad), () => bi.Unroll(bad, Tensor.Ones<double>(2, 1)), () => bi.Unroll(bad, s, s) })
                Assert.Equal($"bidirectional: {bad.Shape}: inputs must be [batch, time, features]", Assert.Throws<ShapeMismatchException>(act).Message);
    }
}
