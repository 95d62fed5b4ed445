using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// One layer of a PyTorch <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> state_dict, in PyTorch's layout:
/// <c>weight_ih_l{k}</c> <c>[G·H, D]</c>, <c>weight_hh_l{k}</c> <c>[G·H, H]</c>, <c>bias_ih_l{k}</c> and
/// <c>bias_hh_l{k}</c> <c>[G·H]</c>, with G gate blocks stacked in PyTorch's order (LSTM i,f,g,o; GRU r,z,n; RNN 1).
/// </summary>
public sealed record PyTorchRnnWeights<T>(Tensor<T> WeightIh, Tensor<T> WeightHh, Tensor<T> BiasIh, Tensor<T> BiasHh)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Layer <paramref name="layer"/> (the backward direction when <paramref name="reverse"/>) of a state_dict, e.g. the
    /// tensors of a safetensors file written from PyTorch: <c>weight_ih_l{layer}[_reverse]</c> and its three siblings.
    /// </summary>
    public static PyTorchRnnWeights<T> FromStateDict(IReadOnlyList<NamedTensor<T>> stateDict, int layer = 0, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var suffix = $"_l{layer}" + (reverse ? "_reverse" : "");
        Tensor<T> Get(string name) => stateDict.FirstOrDefault(t => t.Name == name + suffix)?.Value
            ?? throw new KeyNotFoundException($"state_dict has no '{name + suffix}' (has: {string.Join(", ", stateDict.Select(t => t.Name))})");
        return new(Get("weight_ih"), Get("weight_hh"), Get("bias_ih"), Get("bias_hh"));
    }

    /// <summary>The state_dict entries of layer <paramref name="layer"/> (suffix <c>_reverse</c> for a bidirectional module's backward direction).</summary>
    public IReadOnlyList<NamedTensor<T>> ToStateDict(int layer = 0, bool reverse = false)
    {
        var suffix = $"_l{layer}" + (reverse ? "_reverse" : "");
        return [new("weight_ih" + suffix, WeightIh), new("weight_hh" + suffix, WeightHh), new("bias_ih" + suffix, BiasIh), new("bias_hh" + suffix, BiasHh)];
    }
}

/// <summary>
/// Exact conversion between PyTorch's layout and the essay's one-matrix-per-gate layout over
/// <c>[h_{t-1}, x_t]</c>. Our <c>W_g</c> <c>[H + D, H]</c> is <c>[W_hh,gᵀ; W_ih,gᵀ]</c> stacked by rows, and our single bias
/// is <c>b_ih,g + b_hh,g</c> (PyTorch's two biases only ever appear summed — except GRU's candidate, kept
/// apart in <see cref="GruResetAfter{T}"/>). Exporting writes the merged bias to <c>bias_ih</c> and zeros to
/// <c>bias_hh</c>: the same function. The conversions are built from differentiable ops, so gradients
/// flow through them (gradients with respect to PyTorch-layout tensors come out for free).
/// </summary>
public static partial class PyTorchWeights
{
    /// <summary><c>nn.RNN</c> (tanh) → <see cref="Rnn{T}"/>.</summary>
    public static Rnn<T> ToRnn<T>(PyTorchRnnWeights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = Hidden(w, 1, "rnn");
        return new Rnn<T>(GateWeight(w, 0, h), GateBias(w, 0, h));
    }

    /// <summary><see cref="Rnn{T}"/> → <c>nn.RNN</c> layout.</summary>
    public static PyTorchRnnWeights<T> FromRnn<T>(Rnn<T> cell) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        return Export([cell.W], [cell.B], cell.OutputSize, cell.InputSize);
    }

    /// <summary><c>nn.LSTM</c> (gates i,f,g,o) → <see cref="Lstm{T}"/>.</summary>
    public static Lstm<T> ToLstm<T>(PyTorchRnnWeights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = Hidden(w, 4, "lstm");
        return new Lstm<T>(
            GateWeight(w, 1, h), GateBias(w, 1, h),     // f
            GateWeight(w, 0, h), GateBias(w, 0, h),     // i
            GateWeight(w, 2, h), GateBias(w, 2, h),     // g = C̃
            GateWeight(w, 3, h), GateBias(w, 3, h));    // o
    }

    /// <summary><see cref="Lstm{T}"/> → <c>nn.LSTM</c> layout (gates i,f,g,o).</summary>
    public static PyTorchRnnWeights<T> FromLstm<T>(Lstm<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(c);
        return Export([c.Wi, c.Wf, c.Wc, c.Wo], [c.Bi, c.Bf, c.Bc, c.Bo], c.OutputSize, c.InputSize);
    }

    /// <summary><c>nn.GRU</c> (gates r,z,n) → <see cref="GruResetAfter{T}"/>, the form PyTorch computes.</summary>
    public static GruResetAfter<T> ToGru<T>(PyTorchRnnWeights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = Hidden(w, 3, "gru");
        return new GruResetAfter<T>(
            GateWeight(w, 0, h), GateBias(w, 0, h),
            GateWeight(w, 1, h), GateBias(w, 1, h),
            Transpose(Slice(w.WeightIh, 2 * h, h, 0)), Slice(w.BiasIh, 2 * h, h),
            Transpose(Slice(w.WeightHh, 2 * h, h, 0)), Slice(w.BiasHh, 2 * h, h));
    }

    /// <summary><see cref="GruResetAfter{T}"/> → <c>nn.GRU</c> layout (gates r,z,n).</summary>
    public static PyTorchRnnWeights<T> FromGru<T>(GruResetAfter<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(c);
        int h = c.OutputSize, d = c.InputSize;
        return new(
            Concat([Transpose(Slice(c.Wr, h, d, 0)), Transpose(Slice(c.Wz, h, d, 0)), Transpose(c.Wnx)], 0),
            Concat([Transpose(Slice(c.Wr, 0, h, 0)), Transpose(Slice(c.Wz, 0, h, 0)), Transpose(c.Wnh)], 0),
            Concat([c.Br, c.Bz, c.Bnx], 0),
            Concat([Tensor.Zeros<T>(2 * h), c.Bnh], 0));
    }

    /// <summary>Gate k's <c>[H + D, H]</c> weight over [h_{t-1}, x_t]: its recurrent rows stacked on its input rows.</summary>
    private static Tensor<T> GateWeight<T>(PyTorchRnnWeights<T> w, int k, int h) where T : unmanaged, IFloatingPointIeee754<T> =>
        Concat([Transpose(Slice(w.WeightHh, k * h, h, 0)), Transpose(Slice(w.WeightIh, k * h, h, 0))], 0);

    private static Tensor<T> GateBias<T>(PyTorchRnnWeights<T> w, int k, int h) where T : unmanaged, IFloatingPointIeee754<T> =>
        Slice(w.BiasIh, k * h, h) + Slice(w.BiasHh, k * h, h);

    private static PyTorchRnnWeights<T> Export<T>(Tensor<T>[] gateWeights, Tensor<T>[] biases, int h, int d) where T : unmanaged, IFloatingPointIeee754<T> =>
        Export(gateWeights, biases, h, d, h);

    /// <summary>Gate weights <c>[R + D, H]</c> (R recurrent rows: H, or P with a projection) and merged biases → PyTorch's four tensors.</summary>
    private static PyTorchRnnWeights<T> Export<T>(Tensor<T>[] gateWeights, Tensor<T>[] biases, int recurrentRows, int d, int h) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Concat(gateWeights.Select(g => Transpose(Slice(g, recurrentRows, d, 0))).ToArray(), 0),
            Concat(gateWeights.Select(g => Transpose(Slice(g, 0, recurrentRows, 0))).ToArray(), 0),
            Concat(biases, 0),
            Tensor.Zeros<T>(biases.Length * h));

    /// <summary>Checks the four shapes against G gate blocks and returns H.</summary>
    private static int Hidden<T>(PyTorchRnnWeights<T> w, int gates, string cell) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.WeightHh.Rank != 2 || w.WeightHh.Shape[0] % gates != 0 || w.WeightHh.Shape[0] / gates != w.WeightHh.Shape[1])
            throw new ShapeMismatchException($"pytorch {cell}", $"weight_hh must be [{gates}·H, H]", w.WeightHh.Shape);
        int h = w.WeightHh.Shape[1];
        if (w.WeightIh.Rank != 2 || w.WeightIh.Shape[0] != gates * h)
            throw new ShapeMismatchException($"pytorch {cell}", $"weight_ih must be [{gates * h}, D] to match weight_hh", w.WeightIh.Shape, w.WeightHh.Shape);
        if (w.BiasIh.Shape != new Shape(gates * h) || w.BiasHh.Shape != new Shape(gates * h))
            throw new ShapeMismatchException($"pytorch {cell}", $"bias_ih and bias_hh must be [{gates * h}]", w.BiasIh.Shape, w.BiasHh.Shape);
        return h;
    }
}
