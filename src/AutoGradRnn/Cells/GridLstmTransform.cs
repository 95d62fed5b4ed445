using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>How a <see cref="GridLstmTransform{T}"/> turns its memory into its hidden output.</summary>
public enum GridLstmOutput
{
    /// <summary>h' = tanh(g^o ⊙ m'), as printed in Kalchbrenner et al.'s equation (2).</summary>
    Paper,
    /// <summary>h' = g^o ⊙ tanh(m'), the essay's LSTM; what most Grid LSTM code (TensorFlow's <c>GridRNNCell</c>, Torch ports) computes.</summary>
    Standard,
}

/// <summary>
/// The LSTM transform of a Grid LSTM block (Kalchbrenner, Danihelka &amp; Graves 2015, eq. 2): from the concatenation
/// H of all the block's incoming hidden vectors and the memory m of one dimension, the new (h', m') of that dimension.
/// <code>
/// g^u = σ(W^u·H + b^u)
/// g^f = σ(W^f·H + b^f)
/// g^o = σ(W^o·H + b^o)
/// g^c = tanh(W^c·H + b^c)
/// m' = g^f ⊙ m + g^u ⊙ g^c
/// h' = tanh(g^o ⊙ m')          (Paper; Standard: h' = g^o ⊙ tanh(m'))
/// </code>
/// Every W is <c>[|H|, k]</c> and every b <c>[k]</c>, k the size of this dimension's h and m. The paper leaves the biases
/// out "for brevity"; they are here.
/// </summary>
public sealed record GridLstmTransform<T>(
    Tensor<T> Wu, Tensor<T> Bu,
    Tensor<T> Wf, Tensor<T> Bf,
    Tensor<T> Wo, Tensor<T> Bo,
    Tensor<T> Wc, Tensor<T> Bc)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How h' is formed from m' (default: as the paper prints it).</summary>
    public GridLstmOutput OutputForm { get; init; } = GridLstmOutput.Paper;

    /// <summary>Size k of this dimension's h' and m'.</summary>
    public int Size => Bu.Shape[0];

    /// <summary>Size of H, the concatenated incoming hidden vectors.</summary>
    public int InputSize => Wu.Shape[0];

    /// <summary>
    /// A transform reading H = [h_a, h_b] (sizes <paramref name="firstSize"/>, <paramref name="secondSize"/>) into a dimension
    /// of <paramref name="size"/> units; the block for h_a or h_b of the same size as the output counts as recurrent for
    /// <see cref="CellInit.OrthogonalRecurrent"/> (<paramref name="recurrentBlock"/> 0 or 1). Forget bias 1 by default.
    /// </summary>
    internal static GridLstmTransform<T> Create(Rng rng, CellInit init, int firstSize, int secondSize, int size, int recurrentBlock, GridLstmOutput output)
    {
        Tensor<T> W() => Concat([init.Block<T>(rng, firstSize, size, recurrentBlock == 0), init.Block<T>(rng, secondSize, size, recurrentBlock == 1)], axis: 0);
        return new GridLstmTransform<T>(
            W(), init.Bias<T>(rng, size),
            W(), init.Bias<T>(rng, size, forget: true),
            W(), init.Bias<T>(rng, size),
            W(), init.Bias<T>(rng, size)) { OutputForm = output };
    }

    /// <summary>(h', m') = LSTM(H, m): <paramref name="hiddens"/> is H <c>[B, |H|]</c>, <paramref name="memory"/> is m <c>[B, k]</c>.</summary>
    public (Tensor<T> H, Tensor<T> M, LstmGates<T> Gates) Apply(Tensor<T> hiddens, Tensor<T> memory)
    {
        ArgumentNullException.ThrowIfNull(hiddens);
        ArgumentNullException.ThrowIfNull(memory);
        if (hiddens.Rank != 2 || hiddens.Shape[1] != InputSize)
            throw new ShapeMismatchException("grid lstm transform", $"H must be [batch, {InputSize}]", hiddens.Shape);
        CellChecks.Memory("grid lstm transform", memory, hiddens.Shape[0], Size);
        var updateGate = Sigmoid(MatMul(hiddens, Wu) + Bu);                   // g^u = σ(W^u·H + b^u)
        var forgetGate = Sigmoid(MatMul(hiddens, Wf) + Bf);                   // g^f = σ(W^f·H + b^f)
        var outputGate = Sigmoid(MatMul(hiddens, Wo) + Bo);                   // g^o = σ(W^o·H + b^o)
        var candidate = Tanh(MatMul(hiddens, Wc) + Bc);                       // g^c = tanh(W^c·H + b^c)
        var newMemory = forgetGate * memory + updateGate * candidate;         // m' = g^f⊙m + g^u⊙g^c
        var hidden = OutputForm == GridLstmOutput.Paper
            ? Tanh(outputGate * newMemory)                                    // h' = tanh(g^o⊙m')
            : outputGate * Tanh(newMemory);                                   // h' = g^o⊙tanh(m')
        return (hidden, newMemory, new(forgetGate, updateGate, candidate, outputGate));
    }
}

