using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// What an <see cref="AdditiveAttention{T}"/> looks at, prepared once per source sequence: the encoder outputs h_j
/// (<see cref="Values"/> <c>[B, T, E]</c>), their projections W_h·h_j (<see cref="Keys"/> <c>[B, T, A]</c>), computed once
/// rather than at every decoder step, and the mask of real steps (<c>[B, T]</c>, 1 = real; null when nothing is padded).
/// </summary>
public sealed record AttentionMemory<T>(Tensor<T> Values, Tensor<T> Keys, Tensor<T>? Mask) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Sequences B.</summary>
    public int Batch => Values.Shape[0];

    /// <summary>Source steps T.</summary>
    public int Steps => Values.Shape[1];
}

/// <summary>
/// Additive ("concat") attention of Bahdanau, Cho &amp; Bengio 2015, the alignment model of their RNNsearch: a decoder
/// state s_{t−1} scores every encoder output h_j with a one-hidden-layer network, the scores become weights by a
/// softmax over j, and the context is the weighted average of the h_j.
/// <code>
/// e_tj = vᵀ tanh(W_s·s_{t−1} + W_h·h_j)
/// α_tj = exp(e_tj) / Σ_k exp(e_tk)         (only over real steps k when the memory has a mask)
/// c_t = Σ_j α_tj h_j
/// </code>
/// W_s is <c>[S, A]</c> (S the query size), W_h <c>[E, A]</c> (E the encoder output size), v <c>[A]</c>. Padded source
/// steps get exactly zero weight and pass no gradient (<see cref="Ops.MaskedSoftmax{T}"/>).
/// </summary>
public sealed record AdditiveAttention<T>(Tensor<T> Ws, Tensor<T> Wh, Tensor<T> V) where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Size S of a query s_{t−1}.</summary>
    public int QuerySize => Ws.Shape[0];

    /// <summary>Size E of an encoder output h_j.</summary>
    public int ValueSize => Wh.Shape[0];

    /// <summary>Size A of the alignment network's hidden layer.</summary>
    public int AttentionSize => V.Shape[0];

    /// <summary>New weights, U(±1/√fan_in) for W_s and W_h, U(±1/√A) for v.</summary>
    public static AdditiveAttention<T> Create(int querySize, int valueSize, int attentionSize, long seed)
    {
        if (querySize <= 0 || valueSize <= 0 || attentionSize <= 0)
            throw new ArgumentOutOfRangeException(querySize <= 0 ? nameof(querySize) : valueSize <= 0 ? nameof(valueSize) : nameof(attentionSize), $"additive attention: query size {querySize}, value size {valueSize} and attention size {attentionSize} must be positive");
        var rng = new Rng(seed);
        Tensor<T> U(int fanIn, params int[] shape) => rng.Uniform<T>(new Shape(shape), -1 / Math.Sqrt(fanIn), 1 / Math.Sqrt(fanIn));
        return new(U(querySize, querySize, attentionSize), U(valueSize, valueSize, attentionSize), U(attentionSize, attentionSize));
    }

    /// <summary>Prepares the encoder outputs <paramref name="values"/> <c>[B, T, E]</c> for attending (the keys W_h·h_j); <paramref name="mask"/> <c>[B, T]</c> marks the real steps.</summary>
    public AttentionMemory<T> Remember(Tensor<T> values, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Rank != 3 || values.Shape[2] != ValueSize)
            throw new ShapeMismatchException("additive attention", $"the encoder outputs must be [batch, time, {ValueSize}]", values.Shape, Wh.Shape);
        if (mask is not null && mask.Shape != new Shape(values.Shape[0], values.Shape[1]))
            throw new ShapeMismatchException("additive attention", $"the mask must be [batch, time] = [{values.Shape[0]}, {values.Shape[1]}] for these encoder outputs", mask.Shape, values.Shape);
        return new(values, MatMul(values, Wh), mask?.Detach());                             // W_h·h_j, once per sequence
    }

    /// <summary>One look at the memory from <paramref name="query"/> = s_{t−1} <c>[B, S]</c>: the context c_t <c>[B, E]</c> and the weights α_t <c>[B, T]</c>.</summary>
    public (Tensor<T> Context, Tensor<T> Weights) Attend(Tensor<T> query, AttentionMemory<T> memory)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(memory);
        if (query.Rank != 2 || query.Shape[1] != QuerySize || query.Shape[0] != memory.Batch)
            throw new ShapeMismatchException("additive attention", $"the query must be [{memory.Batch}, {QuerySize}] for this memory", query.Shape, memory.Values.Shape);
        int batch = memory.Batch, steps = memory.Steps;
        var projectedQuery = Reshape(MatMul(query, Ws), batch, 1, AttentionSize);              // W_s·s_{t−1}, broadcast over j
        var scores = Reshape(MatMul(Tanh(memory.Keys + projectedQuery), Reshape(V, AttentionSize, 1)), batch, steps);   // e_tj = vᵀ tanh(W_s·s_{t−1} + W_h·h_j)
        var weights = memory.Mask is null ? Softmax(scores) : MaskedSoftmax(scores, memory.Mask);                     // α_tj = softmax_j(e_tj)
        var context = Sum(Reshape(weights, batch, steps, 1) * memory.Values, axis: 1);         // c_t = Σ_j α_tj h_j
        return (context, weights);
    }
}
