using System.Globalization;
using System.Text;

namespace AutoGradRnn;

/// <summary>How <see cref="GradCheck"/> compares gradients.</summary>
public enum GradCheckMode
{
    /// <summary>Every element of the Jacobian: one backward pass per output element, two forward passes per input element.</summary>
    Full,
    /// <summary>vᵀJu for random directions u, v (PyTorch's fast mode, JAX's <c>check_grads</c>): per direction one recorded forward, one backward and two plain forwards, for large inputs.</summary>
    Directional,
}

/// <summary>
/// Settings for <see cref="GradCheck"/>. An element passes when |analytic − numeric| ≤ Atol + Rtol·|numeric|
/// (the rule of <c>torch.autograd.gradcheck</c>, with its default tolerances).
/// </summary>
public sealed record GradCheckOptions
{
    /// <summary>Finite-difference step (central differences: (f(x+ε) − f(x−ε)) / 2ε).</summary>
    public double Eps { get; init; } = 1e-6;
    /// <summary>Absolute tolerance.</summary>
    public double Atol { get; init; } = 1e-5;
    /// <summary>Relative tolerance, against the numeric value.</summary>
    public double Rtol { get; init; } = 1e-3;
    /// <summary>Full Jacobian or random directions.</summary>
    public GradCheckMode Mode { get; init; } = GradCheckMode.Full;
    /// <summary>Number of random (u, v) pairs in directional mode.</summary>
    public int Directions { get; init; } = 4;
    /// <summary>Seed for the random directions.</summary>
    public long Seed { get; init; } = 0;

    internal void Validate()
    {
        if (!(Eps > 0) || !double.IsFinite(Eps)) throw new ArgumentOutOfRangeException(nameof(Eps), $"gradcheck: eps {Eps} must be a finite number > 0");
        if (!(Atol >= 0) || !double.IsFinite(Atol)) throw new ArgumentOutOfRangeException(nameof(Atol), $"gradcheck: atol {Atol} must be finite and ≥ 0");
        if (!(Rtol >= 0) || !double.IsFinite(Rtol)) throw new ArgumentOutOfRangeException(nameof(Rtol), $"gradcheck: rtol {Rtol} must be finite and ≥ 0");
        if (Directions <= 0) throw new ArgumentOutOfRangeException(nameof(Directions), $"gradcheck: directions {Directions} must be positive");
    }
}

/// <summary>
/// One compared value: in full mode an element ∂outputᵢ/∂inputⱼ, in directional mode one vᵀJu
/// (then <see cref="OutputIndex"/> is the direction's number and <see cref="Index"/> is empty).
/// <see cref="Input"/> is the leaf's path in the input tree ("" for a bare tensor).
/// </summary>
public sealed record GradCheckEntry(string Input, int[] Index, int OutputIndex, double Analytic, double Numeric)
{
    /// <summary>|analytic − numeric|.</summary>
    public double AbsoluteError => Math.Abs(Analytic - Numeric);
    /// <summary>|analytic − numeric| / max(|numeric|, tiny).</summary>
    public double RelativeError => AbsoluteError / Math.Max(Math.Abs(Numeric), 1e-300);

    /// <inheritdoc/>
    public override string ToString()
    {
        var leaf = Input.Length == 0 ? "input" : $"input '{Input}'";
        var where = Index.Length == 0 && Input.Length == 0 ? $"direction {OutputIndex}" : $"{leaf} [{string.Join(",", Index)}], output [{OutputIndex}]";
        // string.Format rather than an interpolated string: Stryker cannot mutate inside an interpolation handler and would drop the whole file.
        return string.Format(CultureInfo.InvariantCulture, "{0}: analytic {1:G10}, numeric {2:G10}, abs err {3:G3}, rel err {4:G3}",
            where, Analytic, Numeric, AbsoluteError, RelativeError);
    }
}

/// <summary>The outcome of a gradient check: whether it passed, the worst comparison, and a readable report.</summary>
[Display.TypeFormatterSource(typeof(Display.FormatterSource))]
public sealed record GradCheckResult(bool Passed, GradCheckMode Mode, int Compared, GradCheckEntry Worst, GradCheckOptions Options)
{
    /// <summary>A one-paragraph report naming the worst element and the tolerances.</summary>
    public string Report => string.Format(CultureInfo.InvariantCulture,
        "gradcheck {0} ({1}, {2} values compared, eps {3:G3}, tolerance {4:G3} + {5:G3}·|numeric|); worst: {6}",
        Passed ? "passed" : "FAILED", Mode.ToString().ToLowerInvariant(), Compared, Options.Eps, Options.Atol, Options.Rtol, Worst);

    /// <inheritdoc/>
    public override string ToString() => Report;
}

/// <summary>Thrown by <see cref="GradCheck.Assert{TTree}"/> when analytic and numeric gradients disagree.</summary>
public sealed class GradCheckException : Exception
{
    internal GradCheckException(GradCheckResult result) : base(result.Report) => Result = result;

    /// <summary>The failed check, with the worst element.</summary>
    public GradCheckResult Result { get; }
}

/// <summary>
/// Verifies analytic gradients against central finite differences in float64, like
/// <c>torch.autograd.gradcheck</c> (full Jacobian) and JAX's <c>check_grads</c> (random directions).
/// Works on any parameter tree (see <see cref="ParameterTree{T}"/>) and any output shape.
/// </summary>
public static class GradCheck
{
    /// <summary>Compares the analytic and numeric derivatives of <paramref name="f"/> at <paramref name="inputs"/>.</summary>
    public static GradCheckResult Check<TTree>(Func<TTree, Tensor<double>> f, TTree inputs, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        var o = options ?? new GradCheckOptions();
        o.Validate();
        var leaves = ParameterTree<double>.Flatten(inputs);
        if (leaves.Sum(l => l.Value.Count) == 0)
            throw new ArgumentException("gradcheck: the inputs contain no tensor elements to perturb", nameof(inputs));
        if (leaves.Any(l => !l.Value.IsFinite()))
        {
            var name = leaves.First(l => !l.Value.IsFinite()).Name;
            throw new ArgumentException($"gradcheck: {(name.Length == 0 ? "the input" : $"input '{name}'")} contains NaN or Inf; gradients can only be checked at finite points", nameof(inputs));
        }
        return o.Mode == GradCheckMode.Full ? Full(f, inputs, leaves, o) : Directional(f, inputs, leaves, o);
    }

    /// <summary>Like <see cref="Check{TTree}"/>, but throws <see cref="GradCheckException"/> with the report when it fails.</summary>
    public static GradCheckResult Assert<TTree>(Func<TTree, Tensor<double>> f, TTree inputs, GradCheckOptions? options = null)
    {
        var result = Check(f, inputs, options);
        return result.Passed ? result : throw new GradCheckException(result);
    }

    private static GradCheckResult Full<TTree>(Func<TTree, Tensor<double>> f, TTree inputs, IReadOnlyList<NamedTensor<double>> leaves, GradCheckOptions o)
    {
        // Analytic Jacobian: one recording, one backward pass per output element.
        var tape = new Tape<double>();
        var tracked = ParameterTree<double>.Map(inputs, tape.Track);
        var trackedLeaves = ParameterTree<double>.Leaves(tracked!);
        var y = Evaluate(f, tracked);
        int m = y.Count;
        var analytic = new double[m][][];
        for (int r = 0; r < m; r++)
        {
            if (!y.IsTracked) { analytic[r] = leaves.Select(l => new double[l.Value.Count]).ToArray(); continue; }
            var seed = new double[m];
            seed[r] = 1;
            var grads = tape.Backward(y, Tensor.FromArray(seed, y.Shape));
            analytic[r] = trackedLeaves.Select(t => grads[t].ToArray()).ToArray();
        }

        // Numeric Jacobian, one input element at a time, compared as it is produced.
        var (worst, worstRatio, passed, compared) = (default(GradCheckEntry), -1.0, true, 0);
        for (int l = 0; l < leaves.Count; l++)
        {
            var x = leaves[l].Value;
            for (int j = 0; j < x.Count; j++)
            {
                var plus = Evaluate(f, Replace(inputs, leaves, l, j, o.Eps));
                var minus = Evaluate(f, Replace(inputs, leaves, l, j, -o.Eps));
                for (int r = 0; r < m; r++)
                {
                    double numeric = (plus.Data[r] - minus.Data[r]) / (2 * o.Eps);
                    var entry = new GradCheckEntry(leaves[l].Name, Unravel(j, x.Shape), r, analytic[r][l][j], numeric);
                    Consider(entry, o, ref worst, ref worstRatio, ref passed);
                    compared++;
                }
            }
        }
        return new GradCheckResult(passed, GradCheckMode.Full, compared, worst!, o);
    }

    private static GradCheckResult Directional<TTree>(Func<TTree, Tensor<double>> f, TTree inputs, IReadOnlyList<NamedTensor<double>> leaves, GradCheckOptions o)
    {
        var rng = new Rng(o.Seed);
        var (worst, worstRatio, passed) = (default(GradCheckEntry), -1.0, true);
        for (int k = 0; k < o.Directions; k++)
        {
            var u = leaves.Select(l => rng.Normal<double>(l.Value.Shape)).ToList();
            var tape = new Tape<double>();
            var tracked = ParameterTree<double>.Map(inputs, tape.Track);
            var y = Evaluate(f, tracked);
            var v = rng.Normal<double>(y.Shape);
            double analytic = 0;
            if (y.IsTracked)
            {
                var grads = tape.Backward(y, v);
                var trackedLeaves = ParameterTree<double>.Leaves(tracked!);
                for (int l = 0; l < leaves.Count; l++) analytic += Dot(grads[trackedLeaves[l]], u[l]);
            }
            var plus = Evaluate(f, Shift(inputs, leaves, u, o.Eps));
            var minus = Evaluate(f, Shift(inputs, leaves, u, -o.Eps));
            double numeric = 0;
            for (int r = 0; r < v.Count; r++) numeric += v.Data[r] * (plus.Data[r] - minus.Data[r]) / (2 * o.Eps);
            Consider(new GradCheckEntry("", [], k, analytic, numeric), o, ref worst, ref worstRatio, ref passed);
        }
        return new GradCheckResult(passed, GradCheckMode.Directional, o.Directions, worst!, o);
    }

    private static void Consider(GradCheckEntry e, GradCheckOptions o, ref GradCheckEntry? worst, ref double worstRatio, ref bool passed)
    {
        double tol = o.Atol + o.Rtol * Math.Abs(e.Numeric);
        double ratio = double.IsNaN(e.AbsoluteError) ? double.PositiveInfinity : e.AbsoluteError / Math.Max(tol, 1e-300);
        if (!(e.AbsoluteError <= tol)) passed = false;
        if (ratio > worstRatio) { worst = e; worstRatio = ratio; }
    }

    private static Tensor<double> Evaluate<TTree>(Func<TTree, Tensor<double>> f, TTree x) =>
        f(x) ?? throw new InvalidOperationException("gradcheck: the function returned null");

    private static TTree Replace<TTree>(TTree inputs, IReadOnlyList<NamedTensor<double>> leaves, int leaf, int element, double delta)
    {
        var replaced = leaves.Select((l, i) =>
        {
            if (i != leaf) return l.Value;
            var data = l.Value.ToArray();
            data[element] += delta;
            return Tensor.FromArray(data, l.Value.Shape);
        }).ToList();
        return ParameterTree<double>.Unflatten(inputs, replaced);
    }

    private static TTree Shift<TTree>(TTree inputs, IReadOnlyList<NamedTensor<double>> leaves, IReadOnlyList<Tensor<double>> u, double eps) =>
        ParameterTree<double>.Unflatten(inputs, leaves.Select((l, i) => K.Add(l.Value.Detach(), K.Scale(u[i], eps))).ToList());

    private static double Dot(Tensor<double> a, Tensor<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Count; i++) s += a.Data[i] * b.Data[i];
        return s;
    }

    private static int[] Unravel(int flat, Shape shape)
    {
        var idx = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--) { idx[d] = flat % shape.Dims[d]; flat /= shape.Dims[d]; }
        return idx;
    }
}
