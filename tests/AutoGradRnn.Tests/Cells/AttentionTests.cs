using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>A random attention problem: batch, source steps, query size S, value size E, attention size A, and a seed.</summary>
public sealed record AttentionCase(int B, int T, int S, int E, int A, long Seed)
{
    public override string ToString() => $"B {B} T {T} S {S} E {E} A {A} seed {Seed}";

    public AdditiveAttention<double> Attention => AdditiveAttention<double>.Create(S, E, A, Seed);
    public Tensor<double> Query => Tensor.RandomNormal<double>(new Shape(B, S), Seed + 1);
    public Tensor<double> Values => Tensor.RandomNormal<double>(new Shape(B, T, E), Seed + 2);
    public Tensor<double> Mask => Sequence.MaskFromLengths<double>(new CellCase(B, T, 1, 1, Seed).Lengths, T);

    public static Arbitrary<AttentionCase> Arb() => FsCheck.Fluent.Arb.From(
        from b in Gen.Choose(1, 3) from t in Gen.Choose(1, 5) from s in Gen.Choose(1, 4) from e in Gen.Choose(1, 4) from a in Gen.Choose(1, 4)
        from seed in Props.Seeds select new AttentionCase(b, t, s, e, a, seed));
}

/// <summary>Additive attention and the attention sequence-to-sequence model: gradients, masking, the weights it exposes, errors.</summary>
[Properties(Arbitrary = new[] { typeof(Arbs.Attention) })]
public class AttentionTests
{
    [Property]
    public void Additive_attention_gradients_check(AttentionCase c)
    {
        var r = Tensor.RandomNormal<double>(new Shape(c.B, c.E), c.Seed + 3);
        var rw = Tensor.RandomNormal<double>(new Shape(c.B, c.T), c.Seed + 4);
        foreach (var mask in new[] { null, c.Mask })
            Props.GradOk(((AdditiveAttention<double> Att, Tensor<double> Q, Tensor<double> H) p) =>
            {
                var (context, weights) = p.Att.Attend(p.Q, p.Att.Remember(p.H, mask));
                return Sum(context * r) + Sum(weights * rw);
            }, (c.Attention, c.Query, c.Values));
    }

    [Property]
    public void Attention_weights_are_a_distribution_and_the_context_their_average(AttentionCase c)
    {
        var att = c.Attention;
        var (context, weights) = att.Attend(c.Query, att.Remember(c.Values));
        var (e, h) = (MatMul(Tanh(Reshape(MatMul(c.Values, att.Wh), c.B, c.T, c.A) + Reshape(MatMul(c.Query, att.Ws), c.B, 1, c.A)), Reshape(att.V, c.A, 1)), c.Values);
        TensorAssert.Close(Softmax(Reshape(e, c.B, c.T)), weights);                                  // α_t = softmax_j(vᵀ tanh(W_s s + W_h h_j))
        for (int b = 0; b < c.B; b++)
        {
            Assert.Equal(1, Enumerable.Range(0, c.T).Sum(j => weights[b, j]), 1e-12);
            for (int k = 0; k < c.E; k++) Assert.Equal(Enumerable.Range(0, c.T).Sum(j => weights[b, j] * h[b, j, k]), context[b, k], 1e-12);
        }
    }

    [Property]
    public void Padded_source_steps_get_no_weight_and_do_not_affect_the_context(AttentionCase c)
    {
        var att = c.Attention;
        var mask = c.Mask;
        var (context, weights) = att.Attend(c.Query, att.Remember(c.Values, mask));
        for (int b = 0; b < c.B; b++)
            for (int j = 0; j < c.T; j++)
                if (mask[b, j] == 0) Assert.Equal(0.0, weights[b, j]);
        var grad = Autodiff.Grad((Tensor<double> h) => Sum(att.Attend(c.Query, att.Remember(h, mask)).Context * Tensor.RandomNormal<double>(new Shape(c.B, c.E), c.Seed)))(c.Values);
        for (int b = 0; b < c.B; b++)
            for (int j = 0; j < c.T; j++)
                if (mask[b, j] == 0) Assert.All(Enumerable.Range(0, c.E), k => Assert.Equal(0.0, grad[b, j, k]));
        // The same as attending over each sequence cut at its own length.
        var lengths = new CellCase(c.B, c.T, 1, 1, c.Seed).Lengths;
        for (int b = 0; b < c.B; b++)
        {
            var alone = att.Attend(Slice(c.Query, b, 1, 0), att.Remember(Slice(Slice(c.Values, b, 1, 0), 0, lengths[b], 1)));
            TensorAssert.Close(alone.Context, Slice(context, b, 1, 0));
        }
    }

    /// <summary>A tiny model and a batch with one padded source and one padded target.</summary>
    internal static (AttentionSeq2Seq<LstmState<double>, double> Model, Seq2SeqBatch Batch) Tiny(bool bidirectional, long seed) =>
        (AttentionSeq2Seq.Create<double>(sourceVocabulary: 3, targetVocabulary: 3, embedding: 2, hidden: 2, attention: 2, seed, bidirectional),
         Seq2SeqBatch.Create([[0, 2, 1], [1, 1]], [[2, 0], [1]]));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Seq2seq_model_gradients_check_on_tiny_shapes(bool bidirectional)
    {
        var (model, batch) = Tiny(bidirectional, 5);
        var rw = Tensor.RandomNormal<double>(new Shape(2, 2, 3), 6);
        Props.GradOk((AttentionSeq2Seq<LstmState<double>, double> m) => m.Loss(batch) + Sum(m.Forward(batch).Attention * rw), model);
    }

    [Fact]
    public void Forward_exposes_one_attention_row_per_decoder_step()
    {
        var (model, batch) = Tiny(bidirectional: true, 5);
        var output = model.Forward(batch);
        Assert.Equal(new Shape(2, 2, 3), output.Logits.Shape);
        Assert.Equal(new Shape(2, 2, 3), output.Attention.Shape);                // [B, T_y, T_x]
        for (int t = 0; t < 2; t++) Assert.Equal(0.0, output.Attention[1, t, 2]);  // sequence 1 has 2 real source steps
        // Step by step gives the same weights: Forward is the loop of DecoderStep.
        var memory = model.Encode(batch);
        var (_, _, first) = model.DecoderStep(model.Decoder.InitialState(2), [model.StartSymbol, model.StartSymbol], memory);
        TensorAssert.Close(Select(output.Attention, 1, 0), first);
        var decoded = model.Greedy(batch, 4);
        Assert.Equal(8, decoded.Symbols.Length);
        Assert.Equal(new Shape(2, 4, 3), decoded.Attention.Shape);
        Assert.All(decoded.Symbols, s => Assert.InRange(s, 0, 2));
    }

    [Fact]
    public void Bad_shapes_symbols_and_batches_are_named()
    {
        var att = AdditiveAttention<double>.Create(3, 4, 5, 1);
        var memory = att.Remember(Tensor.Zeros<double>(2, 6, 4));
        Assert.Contains("additive attention: [2,4] x [2,6,4]: the query must be [2, 3] for this memory", Assert.Throws<ShapeMismatchException>(() => att.Attend(Tensor.Zeros<double>(2, 4), memory)).Message);
        Assert.Contains("the query must be [2, 3]", Assert.Throws<ShapeMismatchException>(() => att.Attend(Tensor.Zeros<double>(1, 3), memory)).Message);
        Assert.Equal("additive attention: [2,6,5] x [4,5]: the encoder outputs must be [batch, time, 4]",
            Assert.Throws<ShapeMismatchException>(() => att.Remember(Tensor.Zeros<double>(2, 6, 5))).Message);
        Assert.Equal("additive attention: [2,5] x [2,6,4]: the mask must be [batch, time] = [2, 6] for these encoder outputs",
            Assert.Throws<ShapeMismatchException>(() => att.Remember(Tensor.Zeros<double>(2, 6, 4), Tensor.Ones<double>(2, 5))).Message);
        Assert.Contains("attention size 0 must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => AdditiveAttention<double>.Create(3, 4, 0, 1)).Message);

        var (model, batch) = Tiny(bidirectional: true, 5);     // V = 3, embedding 2, decoder 2, encoder 2 + 2
        Assert.Contains("source symbol 3 at position 1 is outside the 3-symbol vocabulary", Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Loss(Seq2SeqBatch.Create([[0, 3]], [[1]]))).Message);
        Assert.Contains("target symbol 5 at position 0", Assert.Throws<ArgumentOutOfRangeException>(() => model.Loss(Seq2SeqBatch.Create([[0]], [[5]]))).Message);
        string Misfit(AttentionSeq2Seq<LstmState<double>, double> m) => Assert.Throws<ShapeMismatchException>(() => m.Loss(batch)).Message;
        Assert.Equal("attention seq2seq: [3,5]: the encoder reads 2 features but the source embedding has 5",
            Misfit(model with { SourceEmbedding = Embedding<double>.Create(3, 5, 1) }));
        Assert.Equal("attention seq2seq: [2,2] x [3,2]: the attention must read queries of the decoder's 2 and values of the encoder's 4 features",
            Misfit(model with { Attention = AdditiveAttention<double>.Create(2, 3, 2, 1) }));
        Assert.Equal("attention seq2seq: [4,2]: the decoder must read [y_(t−1), c_t] = 2 + 4 features, but reads 5",
            Misfit(model with { Decoder = Lstm<double>.Create(5, 2, 1) }));
        const string readout = "the read-out must map [s_t, c_t] = 2 + 4 features to V symbols and the target embedding needs V + 1 rows (the start symbol)";
        Assert.Equal($"attention seq2seq: [5,3] x [4,2]: {readout}", Misfit(model with { Readout = Linear<double>.Create(5, 3, 1) }));
        Assert.Equal($"attention seq2seq: [6,3] x [3,2]: {readout}", Misfit(model with { TargetEmbedding = Embedding<double>.Create(3, 2, 1) }));   // no start row
        Assert.Contains("0 steps to decode", Assert.Throws<ArgumentOutOfRangeException>(() => model.Greedy(batch, 0)).Message);
        Assert.Equal("batch", Assert.Throws<ArgumentNullException>(() => model.Greedy(null!, 0)).ParamName);   // the missing batch first
        foreach (var (parameter, name, create) in new (string, string, Action)[]
        {
            ("sourceVocabulary", "source vocabulary", () => AttentionSeq2Seq.Create<double>(0, 3, 2, 2, 2, 1)),
            ("targetVocabulary", "target vocabulary", () => AttentionSeq2Seq.Create<double>(3, 0, 2, 2, 2, 1)),
            ("embedding", "embedding", () => AttentionSeq2Seq.Create<double>(3, 3, 0, 2, 2, 1)),
            ("hidden", "hidden", () => AttentionSeq2Seq.Create<double>(3, 3, 2, 0, 2, 1)),
            ("attention", "attention", () => AttentionSeq2Seq.Create<double>(3, 3, 2, 2, 0, 1)),
        })
            Assert.Equal($"attention seq2seq: {name} size 0 must be positive (Parameter '{parameter}')", Assert.Throws<ArgumentOutOfRangeException>(create).Message);
        Assert.Equal("attention seq2seq: [3] x [2,3,4]: 3 previous symbols for a batch of 2", Assert.Throws<ShapeMismatchException>(() =>
            model.DecoderStep(model.Decoder.InitialState(2), [0, 0, 0], model.Encode(batch))).Message);

        Assert.Contains("2 sources but 1 targets", Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[0], [1]], [[0]])).Message);
        Assert.Contains("source 1 is empty", Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[0], []], [[0], [1]])).Message);
        Assert.Contains("target 0 has symbol -2 at step 1", Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([[0]], [[0, -2]])).Message);
        Assert.Contains("no sequences", Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqBatch.Create([], [])).Message);
    }

    [Fact]
    public void Batches_pad_to_the_longest_and_count_real_target_symbols()
    {
        var batch = Seq2SeqBatch.Create([[1, 2, 3], [4]], [[5, 6], [7, 8]], padding: 9);
        Assert.Equal([1, 2, 3, 4, 9, 9], batch.Source);
        Assert.Equal((3, 2, 4, true, false), (batch.SourceSteps, batch.TargetSteps, batch.Items, batch.SourcePadded, batch.TargetPadded));
        Assert.Equal([1.0, 1, 1, 1, 0, 0], batch.SourceMask<double>().ToArray());
    }

    /// <summary>The parts are seeded seed (source embedding), seed + 1 and + 2 (encoder directions), + 3 (attention), + 4 (target embedding), + 5 (decoder), + 6 (read-out).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Create_seeds_each_part_so_a_model_can_be_rebuilt_from_its_parts(bool bidirectional)
    {
        const long seed = 5;
        var model = Tiny(bidirectional, seed).Model;
        ISequenceEncoder<double> encoder = bidirectional
            ? new Bidirectional<LstmState<double>, double>(Lstm<double>.Create(2, 2, seed + 1), Lstm<double>.Create(2, 2, seed + 2))
            : new RecurrentEncoder<LstmState<double>, double>(Lstm<double>.Create(2, 2, seed + 1));
        int e = bidirectional ? 4 : 2;
        Assert.Equal(e, model.Encoder.OutputSize);
        var parts = new AttentionSeq2Seq<LstmState<double>, double>(Embedding<double>.Create(3, 2, seed), encoder, AdditiveAttention<double>.Create(2, e, 2, seed + 3),
            Embedding<double>.Create(4, 2, seed + 4), Lstm<double>.Create(2 + e, 2, seed + 5), Linear<double>.Create(2 + e, 3, seed + 6));
        Assert.Equal(ParameterTree<double>.Leaves(parts).Select(l => l.ToArray()), ParameterTree<double>.Leaves(model).Select(l => l.ToArray()));
    }

    /// <summary>Teacher forcing: each sequence's decoder reads its own previous target symbol; the loss averages the real target symbols only.</summary>
    [Fact]
    public void Teacher_forcing_reads_each_sequences_own_targets_and_the_loss_skips_padded_ones()
    {
        var (model, batch) = Tiny(bidirectional: true, 5);          // targets [2, 0] and [1, pad]
        var memory = model.Encode(batch);
        var state = model.Decoder.InitialState(2);
        var logits = model.Forward(batch).Logits;
        int[][] previous = [[model.StartSymbol, model.StartSymbol], [2, 1]];
        for (int t = 0; t < 2; t++)
        {
            (state, var step, _) = model.DecoderStep(state, previous[t], memory);
            TensorAssert.Close(step, Select(logits, 1, t), 1e-12, 1e-14);
        }
        double NegLogP(int b, int t, int symbol)
        {
            var row = Enumerable.Range(0, 3).Select(v => logits[b, t, v]).ToArray();
            return Math.Log(row.Sum(Math.Exp)) - row[symbol];
        }
        Assert.Equal((NegLogP(0, 0, 2) + NegLogP(0, 1, 0) + NegLogP(1, 0, 1)) / 3, model.Loss(batch).ToScalar(), 1e-12);
    }
}
