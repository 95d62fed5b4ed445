using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// One layer of a PyTorch <c>nn.LSTM(…, proj_size=P)</c> state_dict, in PyTorch's layout: <c>weight_ih_l{k}</c>
/// <c>[4H, D]</c>, <c>weight_hh_l{k}</c> <c>[4H, P]</c> (the recurrence reads the projected h), <c>bias_ih_l{k}</c> and
/// <c>bias_hh_l{k}</c> <c>[4H]</c> (gates i, f, g, o), and <c>weight_hr_l{k}</c> <c>[P, H]</c>, the projection.
/// </summary>
public sealed record PyTorchProjectionLstmWeights<T>(Tensor<T> WeightIh, Tensor<T> WeightHh, Tensor<T> BiasIh, Tensor<T> BiasHh, Tensor<T> WeightHr)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Layer <paramref name="layer"/> (the backward direction when <paramref name="reverse"/>) of a state_dict:
    /// <c>weight_ih_l{layer}[_reverse]</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c> and <c>weight_hr</c>.
    /// </summary>
    public static PyTorchProjectionLstmWeights<T> FromStateDict(IReadOnlyList<NamedTensor<T>> stateDict, int layer = 0, bool reverse = false)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var core = PyTorchRnnWeights<T>.FromStateDict(stateDict, layer, reverse);
        var name = $"weight_hr_l{layer}" + (reverse ? "_reverse" : "");
        var hr = stateDict.FirstOrDefault(t => t.Name == name)?.Value
            ?? throw new KeyNotFoundException($"state_dict has no '{name}' (an LSTM without proj_size?); it has: {string.Join(", ", stateDict.Select(t => t.Name))}");
        return new(core.WeightIh, core.WeightHh, core.BiasIh, core.BiasHh, hr);
    }

    /// <summary>The five state_dict entries of layer <paramref name="layer"/>, named as PyTorch names them.</summary>
    public IReadOnlyList<NamedTensor<T>> ToStateDict(int layer = 0, bool reverse = false)
    {
        var suffix = $"_l{layer}" + (reverse ? "_reverse" : "");
        return [.. new PyTorchRnnWeights<T>(WeightIh, WeightHh, BiasIh, BiasHh).ToStateDict(layer, reverse), new("weight_hr" + suffix, WeightHr)];
    }
}

public static partial class PyTorchWeights
{
    /// <summary>
    /// <c>nn.LSTM(…, proj_size=P)</c> → <see cref="ProjectionLstm{T}"/>, exactly: gate weights as for <see cref="ToLstm{T}"/>
    /// (with P recurrent rows), merged biases, and W_hr = <c>weight_hrᵀ</c> <c>[H, P]</c>. Built from differentiable ops.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The five shapes do not describe one projected LSTM layer; the message names them.</exception>
    public static ProjectionLstm<T> ToProjectionLstm<T>(PyTorchProjectionLstmWeights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(w);
        var (h, _) = ProjectionSizes(w);
        var core = new PyTorchRnnWeights<T>(w.WeightIh, w.WeightHh, w.BiasIh, w.BiasHh);
        return new ProjectionLstm<T>(
            GateWeight(core, 1, h), GateBias(core, 1, h),     // f
            GateWeight(core, 0, h), GateBias(core, 0, h),     // i
            GateWeight(core, 2, h), GateBias(core, 2, h),     // g = C̃
            GateWeight(core, 3, h), GateBias(core, 3, h),     // o
            Transpose(w.WeightHr));
    }

    /// <summary>
    /// <see cref="ProjectionLstm{T}"/> → <c>nn.LSTM(…, proj_size=P)</c> layout (gates i, f, g, o). The merged bias goes to
    /// <c>bias_ih</c> and zeros to <c>bias_hh</c>, the same function. Loads into PyTorch with a strict <c>load_state_dict</c>.
    /// </summary>
    public static PyTorchProjectionLstmWeights<T> FromProjectionLstm<T>(ProjectionLstm<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(c);
        var core = Export([c.Wi, c.Wf, c.Wc, c.Wo], [c.Bi, c.Bf, c.Bc, c.Bo], c.OutputSize, c.InputSize, c.CellSize);
        return new(core.WeightIh, core.WeightHh, core.BiasIh, core.BiasHh, Transpose(c.Whr));
    }

    /// <summary>Checks the five shapes (weight_hr <c>[P, H]</c>, weight_hh <c>[4H, P]</c>, weight_ih <c>[4H, D]</c>, biases <c>[4H]</c>) and returns (H, P).</summary>
    private static (int H, int P) ProjectionSizes<T>(PyTorchProjectionLstmWeights<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const string op = "pytorch lstm (proj_size)";
        if (w.WeightHr.Rank != 2)
            throw new ShapeMismatchException(op, "weight_hr must be [P, H]", w.WeightHr.Shape);
        var (p, h) = (w.WeightHr.Shape[0], w.WeightHr.Shape[1]);
        if (w.WeightHh.Shape != new Shape(4 * h, p))
            throw new ShapeMismatchException(op, $"weight_hh must be [4·H, P] = [{4 * h}, {p}] to match weight_hr [P, H]", w.WeightHh.Shape, w.WeightHr.Shape);
        if (w.WeightIh.Rank != 2 || w.WeightIh.Shape[0] != 4 * h)
            throw new ShapeMismatchException(op, $"weight_ih must be [{4 * h}, D] to match weight_hr [P, H]", w.WeightIh.Shape, w.WeightHr.Shape);
        if (w.BiasIh.Shape != new Shape(4 * h) || w.BiasHh.Shape != new Shape(4 * h))
            throw new ShapeMismatchException(op, $"bias_ih and bias_hh must be [{4 * h}]", w.BiasIh.Shape, w.BiasHh.Shape);
        return (h, p);
    }
}
