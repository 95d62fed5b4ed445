namespace AutoGradRnn.Tests;

/// <summary>An <see cref="UnrollTrace"/> records while open and only then; <see cref="UnrollTrace.PerStep"/> holds exactly the per-step paths.</summary>
public class UnrollTraceScopeTests
{
    private static readonly Tensor<double> X = Tensor.RandomNormal<double>(new Shape(1, 2, 2), 1);

    [Fact]
    public void A_disposed_trace_records_nothing_more_and_the_outer_one_goes_on()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        using var outer = UnrollTrace.Start();
        var inner = UnrollTrace.Start();
        Sequence.Unroll(lstm, X);
        inner.Dispose();
        Sequence.Unroll(lstm, X);
        Assert.Single(inner.Paths);
        Assert.Equal(2, outer.Paths.Count);
        outer.Dispose();
        Sequence.Unroll(lstm, X);
        Assert.Equal(2, outer.Paths.Count);
    }

    [Fact]
    public void PerStep_lists_the_per_step_paths_and_not_the_fused_ones()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var clockwork = ClockworkRnn<double>.Create(2, 2, [1, 2], 1);
        using var trace = UnrollTrace.Start();
        Sequence.Unroll(lstm, X);
        Sequence.Unroll(clockwork, X);
        Sequence.Unroll(lstm, X);
        Assert.Equal(3, trace.Paths.Count);
        Assert.Equal(new UnrollPath("ClockworkRnn", false, "no fused kernel for ClockworkRnn"), Assert.Single(trace.PerStep));
        Assert.Equal("ClockworkRnn: per-step (no fused kernel for ClockworkRnn)", trace.PerStep[0].ToString());
        Assert.Equal("Lstm: fused (lstm (fused))", trace.Paths[0].ToString());
    }

    [Fact]
    public void The_note_lands_on_the_tape_of_a_tracked_state_or_mask_when_the_inputs_are_not_tracked()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var stateTape = new Tape<double>();
        var state = lstm.InitialState(1) with { C = stateTape.Track(Tensor.Zeros<double>(1, 3)) };
        Sequence.Unroll(lstm, X, state);
        Assert.Equal("Lstm: fused (lstm (fused))", Assert.Single(stateTape.Annotations).Text);

        var maskTape = new Tape<double>();
        Sequence.Unroll(lstm, X, lstm.InitialState(1), maskTape.Track(Tensor.Ones<double>(1, 2)));
        Assert.Equal("Lstm: per-step (the mask is tracked on a tape; Detach() it to run fused)", Assert.Single(maskTape.Annotations).Text);
    }
}
