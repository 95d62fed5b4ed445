namespace AutoGradRnn.Tests;

/// <summary>The mask of lengths at its boundaries: length 0 and length T are valid, −1 and T + 1 are not; step t is real iff t &lt; length.</summary>
public class MaskFromLengthsTests
{
    [Fact]
    public void Step_t_is_real_exactly_when_t_is_below_the_length()
    {
        var mask = Sequence.MaskFromLengths<double>([0, 1, 2, 3], 3);
        Assert.Equal(new Shape(4, 3), mask.Shape);
        Assert.Equal(new double[] { 0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1 }, mask.ToArray());
    }

    [Theory]
    [InlineData(-1, 3, "mask: length -1 of sequence 1 is outside [0, 3]")]
    [InlineData(4, 3, "mask: length 4 of sequence 1 is outside [0, 3]")]
    public void A_length_outside_0_to_T_is_refused_naming_it(int length, int steps, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.MaskFromLengths<double>([steps, length], steps));
        Assert.Equal("lengths", e.ParamName);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_masked_step_at_t_equal_length_keeps_the_state_and_the_step_before_it_does_not()
    {
        var cell = Rnn<double>.Create(2, 3, 1);
        var x = Tensor.RandomNormal<double>(new Shape(1, 4, 2), 2);
        var two = Sequence.Unroll(cell, x, cell.InitialState(1), Sequence.MaskFromLengths<double>([2], 4));
        var alone = Sequence.Unroll(cell, Ops.Slice(x, 0, 2, 1));
        TensorAssert.Close(alone.Final.H, two.Final.H);
        var outputs = two.Outputs.ToArray();
        Assert.All(outputs[6..], v => Assert.Equal(0.0, v));            // t = 2, 3: zeros
        Assert.All(outputs[3..6], v => Assert.NotEqual(0.0, v));        // t = 1 = length − 1: real
    }
}
