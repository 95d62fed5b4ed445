namespace AutoGradRnn.Tests;

/// <summary>
/// A seq2seq batch pads every row at its end to the longest row, says exactly whether any row is padded, and refuses
/// a negative padding symbol, a missing or empty row and a negative symbol, naming the row and the step.
/// </summary>
public class Seq2SeqBatchTests
{
    [Fact]
    public void Rows_are_padded_at_the_end_to_the_longest()
    {
        var b = Seq2SeqBatch.Create([[1, 2], [3]], [[4], [5, 6, 7]], padding: 9);
        Assert.Equal(2, b.Batch);
        Assert.Equal([1, 2, 3, 9], b.Source);
        Assert.Equal([2, 1], b.SourceLengths);
        Assert.Equal([4, 9, 9, 5, 6, 7], b.Target);
        Assert.Equal([1, 3], b.TargetLengths);
        Assert.Equal((2, 3), (b.SourceSteps, b.TargetSteps));
        Assert.Equal(4, b.Items);
        Assert.True(b.SourcePadded);
        Assert.True(b.TargetPadded);
        Assert.Equal([1.0, 1, 1, 0], b.SourceMask<double>().ToArray());
        Assert.Equal([1.0, 0, 0, 1, 1, 1], b.TargetMask<double>().ToArray());
    }

    [Fact]
    public void Rows_of_equal_length_are_not_padded()
    {
        var b = Seq2SeqBatch.Create([[1, 2], [3, 4]], [[5], [6]]);
        Assert.False(b.SourcePadded);
        Assert.False(b.TargetPadded);
        Assert.Equal([1, 2, 3, 4], b.Source);
        Assert.Equal(2, b.Items);
    }

    [Fact]
    public void Padded_is_true_when_only_the_first_or_only_the_last_row_is_short()
    {
        Assert.True(Seq2SeqBatch.Create([[1], [2, 3], [4, 5]], [[1, 2], [3, 4], [5, 6]]).SourcePadded);
        Assert.False(Seq2SeqBatch.Create([[1], [2, 3], [4, 5]], [[1, 2], [3, 4], [5, 6]]).TargetPadded);
        Assert.True(Seq2SeqBatch.Create([[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5]]).TargetPadded);
        Assert.False(Seq2SeqBatch.Create([[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5]]).SourcePadded);
        // default padding is symbol 0
        Assert.Equal([1, 2, 3, 4, 5, 0], Seq2SeqBatch.Create([[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5]]).Target);
    }

    [Fact]
    public void A_negative_padding_symbol_is_refused_and_zero_is_not()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[1]], [[1]], padding: -1));
        Assert.Equal("padding", e.ParamName);
        Assert.StartsWith("seq2seq batch: padding symbol -1 must be ≥ 0", e.Message);
        Assert.Equal([1, 0], Seq2SeqBatch.Create([[1, 2], [1]], [[1], [1]], padding: 0).Source.Skip(2));
    }

    [Fact]
    public void No_rows_or_unequal_counts_are_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([], []));
        Assert.Equal("sources", e.ParamName);
        Assert.StartsWith("seq2seq batch: no sequences; at least 1 is needed", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[1], [2]], [[1]]));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("seq2seq batch: 2 sources but 1 targets", e.Message);
    }

    [Fact]
    public void A_missing_row_is_named_by_its_index()
    {
        Assert.Equal("sources[1]", Assert.Throws<ArgumentNullException>(() => Seq2SeqBatch.Create([[1], null!], [[1], [2]])).ParamName);
        Assert.Equal("targets[0]", Assert.Throws<ArgumentNullException>(() => Seq2SeqBatch.Create([[1], [2]], [null!, [2]])).ParamName);
    }

    [Fact]
    public void An_empty_row_is_named_by_its_index()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[1], [2]], [[1], []]));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("seq2seq batch: target 1 is empty; every sequence needs at least one symbol", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[], [2]], [[1], [2]]));
        Assert.Equal("sources", e.ParamName);
        Assert.StartsWith("seq2seq batch: source 0 is empty", e.Message);
    }

    [Fact]
    public void A_negative_symbol_is_named_by_row_and_step_also_at_step_0()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[-2, 1]], [[1]]));
        Assert.Equal("sources", e.ParamName);
        Assert.StartsWith("seq2seq batch: source 0 has symbol -2 at step 0; symbols must be ≥ 0", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[1], [2]], [[1], [3, -1]]));
        Assert.Equal("targets", e.ParamName);
        Assert.StartsWith("seq2seq batch: target 1 has symbol -1 at step 1; symbols must be ≥ 0", e.Message);
    }
}
