using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The state of a <see cref="ClockworkRnn{T}"/>: the hidden vector y_H <c>[B, H]</c> (the modules side by side, fastest
/// first) and the clock t, the number of steps taken so far. The clock lives in the state so that a step stays a pure
/// <c>(state, x) → state</c>; it is shared by the whole batch. Start it at 1 instead of 0 to count steps from 1.
/// </summary>
public sealed record ClockworkState<T>(Tensor<T> H, long Step) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Helpers for <see cref="ClockworkRnn{T}"/>.</summary>
public static class ClockworkRnn
{
    /// <summary>The paper's periods T_i = 2^(i−1): 1, 2, 4, …, for <paramref name="modules"/> modules.</summary>
    public static int[] ExponentialPeriods(int modules)
    {
        CellChecks.Count("clockwork rnn", "modules", modules, nameof(modules));
        if (modules > 31) throw new ArgumentOutOfRangeException(nameof(modules), $"clockwork rnn: {modules} modules would need periods beyond 2^30");
        return [.. Enumerable.Range(0, modules).Select(i => 1 << i)];
    }
}

/// <summary>
/// The Clockwork RNN (Koutník, Greff, Gomez &amp; Schmidhuber 2014). The hidden units are split into g modules with
/// clock periods T_1 &lt; T_2 &lt; … &lt; T_g. At step t only the modules with t mod T_i = 0 compute a new value; the
/// others keep theirs. A module reads its own units and the units of every <em>slower</em> module, never a faster one:
/// <code>
/// y_i^(t) = tanh(W_H,i · [y_i, y_(i+1), …, y_g]^(t−1) + W_I,i · x^(t) + b_i)   if t mod T_i = 0
/// y_i^(t) = y_i^(t−1)                                                         otherwise
/// </code>
/// Stacking the modules' rows gives the paper's block-upper-triangular W_H (column-vector convention, modules sorted by
/// increasing period); with this library's row vectors, <c>h·W</c>, it is block-lower-triangular. Each module i
/// stores only its allowed block: <see cref="Wh"/>[i] is <c>[k_i + … + k_g, k_i]</c>, <see cref="Wi"/>[i] is <c>[D, k_i]</c>,
/// <see cref="B"/>[i] is <c>[k_i]</c>, for module sizes k_i. The clock t is the state's <see cref="ClockworkState{T}.Step"/>
/// (the step being taken, from 0, so every module fires on the first step). The paper's output layer is a
/// <see cref="Linear{T}"/> on the output. The gates returned per step say which modules fired.
/// </summary>
public sealed record ClockworkRnn<T>(IReadOnlyList<int> Periods, Tensor<T>[] Wh, Tensor<T>[] Wi, Tensor<T>[] B)
    : IGatedCell<ClockworkState<T>, bool[], T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of modules g.</summary>
    public int Modules => Periods.Count;

    /// <summary>Units of each module, k_i.</summary>
    public int[] ModuleSizes => [.. B.Select(b => b.Shape[0])];

    /// <inheritdoc/>
    public int InputSize => Wi[0].Shape[0];

    /// <inheritdoc/>
    public int OutputSize => B.Sum(b => b.Shape[0]);

    /// <summary>A network of modules of <paramref name="moduleSize"/> units each, one per period (e.g. <see cref="ClockworkRnn.ExponentialPeriods"/>).</summary>
    public static ClockworkRnn<T> Create(int inputSize, int moduleSize, int[] periods, long seed)
    {
        CheckPeriods(periods);
        // Checked here so the exception names this overload's parameter, not the array the sizes become.
        if (moduleSize <= 0) throw new ArgumentOutOfRangeException(nameof(moduleSize), $"clockwork rnn: module 0 has size {moduleSize}; sizes must be positive");
        return Create(inputSize, [.. periods.Select(_ => moduleSize)], periods, seed);
    }

    /// <summary>
    /// A network with module i of <paramref name="moduleSizes"/>[i] units and period <paramref name="periods"/>[i]; periods
    /// strictly increase. Every weight and bias is U(±1/√H), H the total hidden size (PyTorch's RNN default).
    /// </summary>
    public static ClockworkRnn<T> Create(int inputSize, int[] moduleSizes, int[] periods, long seed)
    {
        ArgumentNullException.ThrowIfNull(moduleSizes);
        CheckPeriods(periods);
        if (moduleSizes.Length != periods.Length)
            throw new ArgumentOutOfRangeException(nameof(moduleSizes), $"clockwork rnn: {moduleSizes.Length} module sizes for {periods.Length} periods");
        for (int i = 0; i < moduleSizes.Length; i++)
            if (moduleSizes[i] <= 0) throw new ArgumentOutOfRangeException(nameof(moduleSizes), $"clockwork rnn: module {i} has size {moduleSizes[i]}; sizes must be positive");
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"clockwork rnn: input size {inputSize} must be positive");
        int hidden = moduleSizes.Sum(), g = periods.Length;
        var rng = new Rng(seed);
        double bound = 1 / Math.Sqrt(hidden);
        Tensor<T> U(params int[] shape) => rng.Uniform<T>(new Shape(shape), -bound, bound);
        var wh = new Tensor<T>[g];
        var wi = new Tensor<T>[g];
        var b = new Tensor<T>[g];
        for (int i = 0, offset = 0; i < g; offset += moduleSizes[i], i++)
            (wh[i], wi[i], b[i]) = (U(hidden - offset, moduleSizes[i]), U(inputSize, moduleSizes[i]), U(moduleSizes[i]));
        return new ClockworkRnn<T>([.. periods], wh, wi, b);
    }

    /// <summary>y_H = 0 and the clock at 0.</summary>
    public ClockworkState<T> InitialState(int batchSize)
    {
        CellChecks.Batch("clockwork rnn", batchSize);
        return new(Tensor.Zeros<T>(batchSize, OutputSize), 0);
    }

    /// <summary>True for the modules that fire at clock <paramref name="step"/>: t mod T_i = 0.</summary>
    public bool[] Active(long step) => [.. Periods.Select(p => step % p == 0)];

    /// <summary>One step at clock t = <c>state.Step</c>: the modules with t mod T_i = 0 update, the rest keep their values; the clock advances.</summary>
    public (ClockworkState<T> State, bool[] Gates) StepWithGates(ClockworkState<T> state, Tensor<T> input)
    {
        CellChecks.Parameters<T>(Sequence.CellName(this), this);   // before the structure check reads the blocks' shapes
        CheckStructure();
        CellChecks.Step("clockwork rnn", this, state, input);
        if (state.Step < 0) throw new ArgumentOutOfRangeException(nameof(state), $"clockwork rnn: the clock {state.Step} must be ≥ 0");
        int hidden = OutputSize;
        var active = Active(state.Step);
        var modules = new Tensor<T>[Modules];
        for (int i = 0, offset = 0; i < Modules; offset += B[i].Shape[0], i++)
        {
            if (!active[i]) { modules[i] = Slice(state.H, offset, B[i].Shape[0]); continue; }           // y_i^(t) = y_i^(t−1)
            var selfAndSlower = Slice(state.H, offset, hidden - offset);                                // [y_i, …, y_g]^(t−1)
            modules[i] = Tanh(MatMul(selfAndSlower, Wh[i]) + MatMul(input, Wi[i]) + B[i]);              // y_i^(t) = tanh(W_H,i·y^(t−1) + W_I,i·x^(t) + b_i)
        }
        return (new(Modules == 1 ? modules[0] : Concat(modules), state.Step + 1), active);
    }

    /// <inheritdoc/>
    public ClockworkState<T> Step(ClockworkState<T> state, Tensor<T> input) => StepWithGates(state, input).State;

    /// <inheritdoc/>
    public Tensor<T> Output(ClockworkState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.H;
    }

    private static void CheckPeriods(IReadOnlyList<int> periods)
    {
        ArgumentNullException.ThrowIfNull(periods);
        CellChecks.Count("clockwork rnn", "modules (periods)", periods.Count, nameof(periods));
        for (int i = 0; i < periods.Count; i++)
        {
            if (periods[i] <= 0) throw new ArgumentOutOfRangeException(nameof(periods), $"clockwork rnn: period {periods[i]} of module {i} must be positive");
            if (i > 0 && periods[i] <= periods[i - 1])
                throw new ArgumentOutOfRangeException(nameof(periods), $"clockwork rnn: periods must strictly increase, but module {i} has {periods[i]} after {periods[i - 1]} ([{string.Join(", ", periods)}])");
        }
    }

    /// <summary>Every module has its three parameters, each shaped for its place in the clockwork.</summary>
    private void CheckStructure()
    {
        CheckPeriods(Periods);
        ArgumentNullException.ThrowIfNull(Wh);
        ArgumentNullException.ThrowIfNull(Wi);
        ArgumentNullException.ThrowIfNull(B);
        if (Wh.Length != Modules || Wi.Length != Modules || B.Length != Modules)
            throw new ShapeMismatchException("clockwork rnn", $"{Modules} periods but {Wh.Length} W_H, {Wi.Length} W_I and {B.Length} b blocks");
        int hidden = OutputSize, d = Wi[0].Shape[0];
        for (int i = 0, offset = 0; i < Modules; offset += B[i].Shape[0], i++)
        {
            int k = B[i].Shape[0];
            CellChecks.Weight("clockwork rnn", $"Wh[{i}]", Wh[i], hidden - offset, k);
            CellChecks.Weight("clockwork rnn", $"Wi[{i}]", Wi[i], d, k);
        }
    }
}
