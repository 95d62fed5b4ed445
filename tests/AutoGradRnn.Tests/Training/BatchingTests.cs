using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

[Properties(Arbitrary = new[] { typeof(Arbs.Rank3TensorsUpTo6) })]
public class BatchingTests
{
    [Property]
    public void Streams_are_contiguous_slices_and_batches_continue_each_other(TensorCase c)
    {
        int streams = c.Dims[0], steps = c.Dims[1], n = streams * (steps + 1) * c.Dims[2] + (int)(c.Seed % 7);
        var sequence = Enumerable.Range(0, n).ToArray();          // symbol = its own position
        var (layout, batches) = StreamBatching.Tokens(sequence, streams, steps);
        Assert.Equal(layout.Batches, batches.Count);
        for (int k = 0; k < batches.Count; k++)
            for (int b = 0; b < streams; b++)
                for (int t = 0; t < steps; t++)
                {
                    Assert.Equal(layout.Position(k, b, t), batches[k].Inputs[b * steps + t]);
                    Assert.Equal(batches[k].Inputs[b * steps + t] + 1, batches[k].Targets[b * steps + t]);
                    Assert.Equal(b * (n / streams) + k * steps + t, batches[k].Inputs[b * steps + t]);
                }
        // row b of batch k+1 starts right where row b of batch k ended
        for (int k = 0; k + 1 < batches.Count; k++)
            for (int b = 0; b < streams; b++)
                Assert.Equal(batches[k].Targets[b * steps + steps - 1], batches[k + 1].Inputs[b * steps]);
    }

    [Fact]
    public void Series_batches_match_token_layout()
    {
        var series = Tensor.FromArray(Enumerable.Range(0, 50).Select(i => (double)i).ToArray(), 25, 2);
        var (layout, batches) = StreamBatching.Series(series, streams: 2, steps: 3);
        Assert.Equal(12, layout.StreamLength);
        Assert.Equal(3, batches.Count);
        // batch 1, stream 1, step 2 → position 12 + 3 + 2 = 17 → features (34, 35), target (36, 37)
        Assert.Equal(34.0, batches[1].Inputs[1, 2, 0]);
        Assert.Equal(37.0, batches[1].Targets[1, 2, 1]);
    }

    [Fact]
    public void Too_short_sequences_are_rejected_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentException>(() => StreamBatching.Tokens(new int[10], 4, 3));
        Assert.Contains("a sequence of 10 cannot fill 4 streams of 3 steps", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamBatching.Tokens(new int[10], 0, 3));
    }

    /// <summary>A tiny character model: embedding → LSTM → linear.</summary>
    private sealed record CharModel(Embedding<double> Embed, Lstm<double> Cell, Linear<double> Head);

    private static (Tensor<double> Loss, LstmState<double> Final) BatchLoss(CharModel m, LstmState<double> carry, TokenBatch b)
    {
        var x = m.Embed.Apply(b.Inputs, b.Streams, b.Steps);
        var r = Sequence.Unroll(m.Cell, x, carry);
        return (CrossEntropy(m.Head.Apply(r.Outputs), b.Targets), r.Final);
    }

    [Fact]
    public void The_carried_state_is_the_previous_batch_final_state_and_no_gradient_crosses_the_boundary()
    {
        var model = new CharModel(Embedding<double>.Create(5, 3, 1), Lstm<double>.Create(3, 4, 2), Linear<double>.Create(4, 5, 3));
        var sequence = Enumerable.Range(0, 61).Select(i => (i * 7 + i / 3) % 5).ToArray();
        var (_, batches) = StreamBatching.Tokens(sequence, streams: 3, steps: 4);

        // What the trainer passes to batch 1 is batch 0's final state, detached.
        var seen = new List<LstmState<double>>();
        var result = Trainer<double>.FitCarried(model, new Sgd<double>(1e-9),
            (m, carry, b) => { seen.Add(carry); return BatchLoss(m, carry, b); },
            m => m.Cell.InitialState(3), batches.Take(2).ToList(), [], new TrainerOptions());
        var final0 = BatchLoss(model, model.Cell.InitialState(3), batches[0]).Final;
        Assert.Equal(2, seen.Count);
        Assert.All(seen[0].H.ToArray(), v => Assert.Equal(0.0, v));
        TensorAssert.Close(final0.H, seen[1].H, 1e-6, 1e-9);    // lr 1e-9: parameters barely moved
        Assert.False(seen[1].H.IsTracked);
        Assert.False(seen[1].C.IsTracked);

        // On one tape across both chunks: with the state detached at the boundary, batch 1's loss has zero
        // gradient with respect to batch 0's inputs; without the detach it would not.
        var tape = new Tape<double>();
        var emb0 = tape.Track(model.Embed.Apply(batches[0].Inputs, 3, 4));
        var state0 = Sequence.Unroll(model.Cell, emb0).Final;
        var x1 = model.Embed.Apply(batches[1].Inputs, 3, 4);
        var cut = Sequence.Unroll(model.Cell, x1, new LstmState<double>(state0.H.Detach(), state0.C.Detach()));
        Assert.False(cut.Outputs.IsTracked);                      // nothing on the tape reaches batch 1 at all
        var full = Sequence.Unroll(model.Cell, x1, state0);
        var g = tape.Backward(Sum(full.Outputs));
        Assert.True(g[emb0].MaxAbsDifference(Tensor.Zeros<double>(emb0.Shape)) > 0);
    }
}
