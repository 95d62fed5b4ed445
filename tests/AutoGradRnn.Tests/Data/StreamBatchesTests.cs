using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Stream batching's bounds and counts: each index of <see cref="StreamLayout.Position"/> is checked on its own (its
/// count is already outside), streams and steps must be at least 1, a sequence that is one symbol short is refused
/// with the numbers, and a batch counts streams × steps items, for a series of one feature ([N]) as for [N, F].
/// </summary>
public class StreamBatchesTests
{
    private static readonly StreamLayout Layout = new(Length: 11, Streams: 2, Steps: 2);   // L = 5, batches = 2

    [Fact]
    public void Position_is_stream_start_plus_batch_chunk_plus_step()
    {
        Assert.Equal(5, Layout.StreamLength);
        Assert.Equal(2, Layout.Batches);
        Assert.Equal(0, Layout.Position(0, 0, 0));
        Assert.Equal(5 + 2 + 1, Layout.Position(1, 1, 1));   // the last valid (batch, stream, step)
        Assert.Equal(2, Layout.Position(1, 0, 0));
    }

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(0, 2, 0)]
    [InlineData(0, 0, 2)]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    public void Each_index_at_its_count_or_below_zero_is_refused(int batch, int stream, int step)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Layout.Position(batch, stream, step));
        Assert.Equal("batch", e.ParamName);
        Assert.StartsWith($"stream layout: (batch {batch}, stream {stream}, step {step}) is outside 2 batches × 2 streams × 2 steps", e.Message);
    }

    [Fact]
    public void Streams_and_steps_must_be_at_least_one()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StreamBatching.Tokens(new int[10], 0, 3));
        Assert.Equal("streams", e.ParamName);
        Assert.StartsWith("batching: streams 0 must be positive", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => StreamBatching.Tokens(new int[10], 2, 0));
        Assert.Equal("steps", e.ParamName);
        Assert.StartsWith("batching: steps 0 must be positive", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => StreamBatching.Tokens(new int[10], 2, -1));
        Assert.StartsWith("batching: steps -1 must be positive", e.Message);

        var (layout, batches) = StreamBatching.Tokens(Enumerable.Range(0, 10).ToArray(), 1, 1);
        Assert.Equal(9, layout.Batches);                        // one stream of 10: 9 inputs each with a next symbol
        Assert.Equal([8], batches[8].Inputs);
        Assert.Equal([9], batches[8].Targets);
    }

    [Fact]
    public void A_sequence_one_symbol_short_is_refused_with_the_numbers_and_one_that_fits_exactly_is_not()
    {
        // 4 streams of 3 steps plus one target need 4 × 4 = 16 symbols.
        var (layout, batches) = StreamBatching.Tokens(Enumerable.Range(0, 16).ToArray(), 4, 3);
        Assert.Equal(1, layout.Batches);
        Assert.Single(batches);
        var e = Assert.Throws<ArgumentException>(() => StreamBatching.Tokens(new int[15], 4, 3));
        Assert.Equal("batching: a sequence of 15 cannot fill 4 streams of 3 steps plus one target (needs at least 16)", e.Message);
        e = Assert.Throws<ArgumentException>(() => StreamBatching.Tokens(new int[5], 2, 2));
        Assert.Equal("batching: a sequence of 5 cannot fill 2 streams of 2 steps plus one target (needs at least 6)", e.Message);
    }

    [Fact]
    public void A_token_batch_counts_streams_times_steps_items()
    {
        var (_, batches) = StreamBatching.Tokens(Enumerable.Range(0, 40).ToArray(), streams: 2, steps: 3);
        Assert.All(batches, b => Assert.Equal(6, b.Items));
        Assert.Equal(6, new TokenBatch(0, new int[6], new int[6], 3, 2).Items);
        Assert.Equal(4, new TokenBatch(0, new int[4], new int[4], 4, 1).Items);
    }

    [Fact]
    public void A_series_batch_counts_streams_times_steps_items_whatever_the_features()
    {
        var series = Tensor.FromArray(Enumerable.Range(0, 60).Select(i => (double)i).ToArray(), 20, 3);
        var (_, batches) = StreamBatching.Series(series, streams: 2, steps: 4);
        Assert.All(batches, b => Assert.Equal(8, b.Items));
        Assert.All(batches, b => Assert.Equal(new Shape(2, 4, 3), b.Inputs.Shape));
    }

    [Fact]
    public void A_series_of_rank_1_is_one_feature()
    {
        var series = Tensor.FromArray(Enumerable.Range(0, 13).Select(i => (double)i).ToArray(), 13);
        var (layout, batches) = StreamBatching.Series(series, streams: 2, steps: 2);
        Assert.Equal(6, layout.StreamLength);
        Assert.Equal(2, batches.Count);
        Assert.Equal(new Shape(2, 2, 1), batches[1].Inputs.Shape);
        // batch 1: stream 0 reads positions 2, 3; stream 1 reads 8, 9; targets one further
        Assert.Equal([2.0, 3, 8, 9], batches[1].Inputs.ToArray());
        Assert.Equal([3.0, 4, 9, 10], batches[1].Targets.ToArray());
        Assert.Equal(1, batches[1].Index);
    }

    [Fact]
    public void A_series_of_rank_3_is_refused()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => StreamBatching.Series(Tensor.Zeros<double>(4, 2, 2), 1, 1));
        Assert.Equal("batching: [4,2,2]: the series must be [length] or [length, features]", e.Message);
    }

    [Fact]
    public void The_batch_list_reads_every_batch_once_in_order_and_refuses_an_index_at_its_count()
    {
        var (_, batches) = StreamBatching.Tokens(Enumerable.Range(0, 21).ToArray(), streams: 2, steps: 3);
        Assert.Equal(3, batches.Count);
        Assert.Equal([0, 1, 2], batches.Select(b => b.Index));
        Assert.Equal([0, 1, 2], ((System.Collections.IEnumerable)batches).Cast<TokenBatch>().Select(b => b.Index));
        Assert.Equal(batches[2].Inputs, batches.Last().Inputs);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => batches[3]);
        Assert.Equal("index", e.ParamName);
        Assert.StartsWith("batches: index 3 is outside [0, 3)", e.Message);
        Assert.StartsWith("batches: index -1 is outside [0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => batches[-1]).Message);
    }
}
