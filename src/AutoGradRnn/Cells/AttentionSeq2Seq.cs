using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// What a sequence-to-sequence model produced for a batch: the logits of every target step <c>[B, T_y, V]</c> and the
/// attention weights of every decoder step <c>[B, T_y, T_x]</c> (row t of sequence b is α_t, for plotting).
/// </summary>
public sealed record Seq2SeqOutput<T>(Tensor<T> Logits, Tensor<T> Attention) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The symbols a model chose, <c>[B, steps]</c> row-major, and the attention weights behind each choice <c>[B, steps, T_x]</c>.</summary>
public sealed record Seq2SeqDecoding<T>(int[] Symbols, int Batch, Tensor<T> Attention) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The symbols of sequence <paramref name="b"/>.</summary>
    public int[] Row(int b) => Symbols.AsSpan(b * (Symbols.Length / Batch), Symbols.Length / Batch).ToArray();
}

/// <summary>
/// An encoder–decoder with attention (Bahdanau, Cho &amp; Bengio 2015, "RNNsearch"). The encoder reads the embedded
/// source into h_1..h_{T_x}; at every target step the decoder looks at them through <see cref="AdditiveAttention{T}"/>
/// from its previous state, reads the previous target symbol together with the context, and predicts the next symbol:
/// <code>
/// h_j = Encoder(E_src[x])_j                                   (e.g. a bidirectional LSTM)
/// e_tj = vᵀ tanh(W_s·s_{t−1} + W_h·h_j),  α_t = softmax(e_t),  c_t = Σ_j α_tj h_j
/// s_t = Decoder(s_{t−1}, [E_tgt[y_{t−1}], c_t])
/// p(y_t | y_&lt;t, x) = softmax(W_o·[s_t, c_t] + b_o)
/// </code>
/// s_{t−1} is the decoder's output (its h); s_0 is the decoder's zero state and y_0 the start symbol, the extra last row
/// of <see cref="TargetEmbedding"/> (so it has V + 1 rows for V target symbols). The paper's deep output with maxout is
/// a single linear read-out here, and its s_0 = tanh(W·h←_1) is the zero state. Padded source steps are masked out of
/// the attention; padded target steps out of the loss.
/// </summary>
public sealed record AttentionSeq2Seq<TDecoderState, T>(
    Embedding<T> SourceEmbedding,
    ISequenceEncoder<T> Encoder,
    AdditiveAttention<T> Attention,
    Embedding<T> TargetEmbedding,
    IRecurrentCell<TDecoderState, T> Decoder,
    Linear<T> Readout)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Target symbols V (the start symbol is extra).</summary>
    public int TargetVocabulary => Readout.OutputSize;

    /// <summary>The start symbol y_0 = V, fed to the decoder before the first target symbol.</summary>
    public int StartSymbol => TargetVocabulary;

    /// <summary>The encoder outputs of the batch's sources, prepared for attention (masked when some source is padded).</summary>
    public AttentionMemory<T> Encode(Seq2SeqBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckStructure();
        CheckSymbols(batch.Source, SourceEmbedding.Vocabulary, "source");
        var mask = batch.SourceMask<T>();
        var embedded = SourceEmbedding.Apply([.. batch.Source], batch.Batch, batch.SourceSteps);                 // E_src[x]
        var values = Encoder.Encode(embedded, mask);                                                           // h_1..h_{T_x}
        return Attention.Remember(values, batch.SourcePadded ? mask : null);
    }

    /// <summary>
    /// One decoder step from state s_{t−1} after symbols <paramref name="previous"/> = y_{t−1} (one per sequence): the new
    /// state s_t, the logits of y_t <c>[B, V]</c> and the attention weights α_t <c>[B, T_x]</c>.
    /// </summary>
    public (TDecoderState State, Tensor<T> Logits, Tensor<T> Weights) DecoderStep(TDecoderState state, int[] previous, AttentionMemory<T> memory)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(memory);
        if (previous.Length != memory.Batch)
            throw new ShapeMismatchException("attention seq2seq", $"{previous.Length} previous symbols for a batch of {memory.Batch}", new Shape(previous.Length), memory.Values.Shape);
        var (context, weights) = Attention.Attend(Decoder.Output(state), memory);                 // c_t = Σ_j α_tj h_j, α_t from s_{t−1}
        var next = Decoder.Step(state, Concat(TargetEmbedding.Apply(previous), context));          // s_t = Decoder(s_{t−1}, [E_tgt[y_{t−1}], c_t])
        var logits = Readout.Apply(Concat(Decoder.Output(next), context));                        // W_o·[s_t, c_t] + b_o
        return (next, logits, weights);
    }

    /// <summary>Teacher forcing: the decoder reads the true previous symbols (y_0 = start, then the batch's targets).</summary>
    public Seq2SeqOutput<T> Forward(Seq2SeqBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var memory = Encode(batch);
        CheckSymbols(batch.Target, TargetVocabulary, "target");
        int b = batch.Batch, steps = batch.TargetSteps;
        var state = Decoder.InitialState(b);
        var logits = new Tensor<T>[steps];
        var weights = new Tensor<T>[steps];
        var previous = Enumerable.Repeat(StartSymbol, b).ToArray();
        for (int t = 0; t < steps; t++)
        {
            (state, logits[t], weights[t]) = DecoderStep(state, previous, memory);
            previous = [.. Enumerable.Range(0, b).Select(r => batch.Target[r * steps + t])];
        }
        return new(Stack(logits, 1), Stack(weights, 1));
    }

    /// <summary>The mean cross-entropy of the real target symbols under teacher forcing.</summary>
    public Tensor<T> Loss(Seq2SeqBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var logits = Forward(batch).Logits;
        return batch.TargetPadded ? CrossEntropy(logits, [.. batch.Target], batch.TargetMask<T>()) : CrossEntropy(logits, [.. batch.Target]);
    }

    /// <summary>Greedy decoding of <paramref name="steps"/> symbols: each step feeds back the most likely symbol. Targets in the batch are not read.</summary>
    public Seq2SeqDecoding<T> Greedy(Seq2SeqBatch batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"attention seq2seq: {steps} steps to decode; at least 1 is needed");
        var memory = Encode(batch);
        int b = batch.Batch;
        var state = Decoder.InitialState(b);
        var symbols = new int[b * steps];
        var weights = new Tensor<T>[steps];
        var previous = Enumerable.Repeat(StartSymbol, b).ToArray();
        for (int t = 0; t < steps; t++)
        {
            (state, var logits, weights[t]) = DecoderStep(state, previous, memory);
            previous = Metrics.ArgMax(logits);
            for (int r = 0; r < b; r++) symbols[r * steps + t] = previous[r];
        }
        return new(symbols, b, Stack(weights, 1));
    }

    private void CheckStructure()
    {
        if (Encoder.InputSize != SourceEmbedding.Dimension)
            throw new ShapeMismatchException("attention seq2seq", $"the encoder reads {Encoder.InputSize} features but the source embedding has {SourceEmbedding.Dimension}", SourceEmbedding.Table.Shape);
        if (Attention.ValueSize != Encoder.OutputSize || Attention.QuerySize != Decoder.OutputSize)
            throw new ShapeMismatchException("attention seq2seq",
                $"the attention must read queries of the decoder's {Decoder.OutputSize} and values of the encoder's {Encoder.OutputSize} features", Attention.Ws.Shape, Attention.Wh.Shape);
        if (Decoder.InputSize != TargetEmbedding.Dimension + Encoder.OutputSize)
            throw new ShapeMismatchException("attention seq2seq",
                $"the decoder must read [y_(t−1), c_t] = {TargetEmbedding.Dimension} + {Encoder.OutputSize} features, but reads {Decoder.InputSize}", TargetEmbedding.Table.Shape);
        if (Readout.InputSize != Decoder.OutputSize + Encoder.OutputSize || TargetEmbedding.Vocabulary != TargetVocabulary + 1)
            throw new ShapeMismatchException("attention seq2seq",
                $"the read-out must map [s_t, c_t] = {Decoder.OutputSize} + {Encoder.OutputSize} features to V symbols and the target embedding needs V + 1 rows (the start symbol)",
                Readout.W.Shape, TargetEmbedding.Table.Shape);
    }

    private static void CheckSymbols(IReadOnlyList<int> symbols, int vocabulary, string what)
    {
        for (int i = 0; i < symbols.Count; i++)
            if ((uint)symbols[i] >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(nameof(symbols), $"attention seq2seq: {what} symbol {symbols[i]} at position {i} is outside the {vocabulary}-symbol vocabulary");
    }
}

/// <summary>Builds <see cref="AttentionSeq2Seq{TDecoderState, T}"/> models.</summary>
public static class AttentionSeq2Seq
{
    /// <summary>
    /// RNNsearch with LSTMs: a source embedding of <paramref name="embedding"/> features, a bidirectional (or, with
    /// <paramref name="bidirectional"/> false, a forward) LSTM encoder of <paramref name="hidden"/> units per direction,
    /// additive attention of <paramref name="attention"/> units, and an LSTM decoder of <paramref name="hidden"/> units.
    /// </summary>
    public static AttentionSeq2Seq<LstmState<T>, T> Create<T>(int sourceVocabulary, int targetVocabulary, int embedding, int hidden, int attention, long seed, bool bidirectional = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (parameter, name, value) in new[] { (nameof(sourceVocabulary), "source vocabulary", sourceVocabulary), (nameof(targetVocabulary), "target vocabulary", targetVocabulary),
                     (nameof(embedding), "embedding", embedding), (nameof(hidden), "hidden", hidden), (nameof(attention), "attention", attention) })
            if (value <= 0) throw new ArgumentOutOfRangeException(parameter, $"attention seq2seq: {name} size {value} must be positive");
        ISequenceEncoder<T> encoder = bidirectional
            ? new Bidirectional<LstmState<T>, T>(Lstm<T>.Create(embedding, hidden, seed + 1), Lstm<T>.Create(embedding, hidden, seed + 2))
            : new RecurrentEncoder<LstmState<T>, T>(Lstm<T>.Create(embedding, hidden, seed + 1));
        int e = encoder.OutputSize;
        return new(
            Embedding<T>.Create(sourceVocabulary, embedding, seed),
            encoder,
            AdditiveAttention<T>.Create(hidden, e, attention, seed + 3),
            Embedding<T>.Create(targetVocabulary + 1, embedding, seed + 4),
            Lstm<T>.Create(embedding + e, hidden, seed + 5),
            Linear<T>.Create(hidden + e, targetVocabulary, seed + 6));
    }
}
