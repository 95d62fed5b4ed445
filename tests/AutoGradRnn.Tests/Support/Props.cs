using FsCheck;
using FsCheck.Fluent;

// Every [Property] runs 30 cases unless its own attribute sets MaxTest (FsCheck.Xunit's default would be 100).
[assembly: FsCheck.Xunit.Properties(MaxTest = 30)]

namespace AutoGradRnn.Tests;

/// <summary>
/// A random test case: a shape and the seed its values are drawn from. Printed by FsCheck on failure
/// (after shrinking the shape towards 1s), so a failure names the exact shape and values to replay.
/// </summary>
public sealed record TensorCase(int[] Dims, long Seed)
{
    public Shape Shape => new(Dims);
    public override string ToString() => $"shape {Shape} seed {Seed}";

    /// <summary>N(0,1) values, pushed away from 0 by <paramref name="awayFromZero"/> (for kinks such as relu and abs).</summary>
    public Tensor<double> Values(double awayFromZero = 0, int salt = 0)
    {
        var t = Tensor.RandomNormal<double>(Shape, Seed * 7919 + salt);
        if (awayFromZero == 0) return t;
        return Tensor.FromArray(t.ToArray().Select(v => v + Math.CopySign(awayFromZero, v)).ToArray(), Shape);
    }

    /// <summary>Values in [low, high).</summary>
    public Tensor<double> Uniform(double low, double high, int salt = 0) => Tensor.RandomUniform<double>(Shape, Seed * 7919 + salt, low, high);
}

/// <summary>FsCheck generators the property tests draw their cases from (registered for them in <see cref="Arbs"/>).</summary>
public static class Props
{
    public static Gen<long> Seeds => Gen.Choose(0, int.MaxValue).Select(i => (long)i);

    /// <summary>A shape of rank [minRank, maxRank] with dimensions in [1, maxDim].</summary>
    public static Gen<int[]> Dims(int minRank, int maxRank, int maxDim = 4) =>
        Gen.Choose(minRank, maxRank).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, maxDim), r));

    /// <summary>
    /// <paramref name="shrinker"/>, or none when <c>AUTOGRADRNN_TEST_NO_SHRINK=1</c>: <c>tests/mutation.sh</c> sets it, since a
    /// mutant needs one failing case, not the smallest, and shrinking a failing gradient check re-runs it dozens of times.
    /// </summary>
    public static Func<T, IEnumerable<T>> Shrink<T>(Func<T, IEnumerable<T>> shrinker) => NoShrink ? _ => [] : shrinker;

    private static readonly bool NoShrink = Environment.GetEnvironmentVariable("AUTOGRADRNN_TEST_NO_SHRINK") == "1";

    /// <summary>Shrinks dimensions towards 1 (so a failure is reported at the smallest failing shape).</summary>
    public static IEnumerable<int[]> ShrinkDims(int[] dims)
    {
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] > 1)
            {
                var smaller = (int[])dims.Clone();
                smaller[i] = dims[i] - 1;
                yield return smaller;
            }
    }

    public static Arbitrary<TensorCase> Tensors(int minRank = 1, int maxRank = 3, int maxDim = 4) =>
        Arb.From(
            from d in Dims(minRank, maxRank, maxDim) from s in Seeds select new TensorCase(d, s),
            Shrink<TensorCase>(c => ShrinkDims(c.Dims).Select(d => c with { Dims = d })));

    /// <summary>Matrix-product dimensions (m, k, n) and a seed.</summary>
    public sealed record MatMulCase(int M, int K, int N, long Seed, int BatchLead)
    {
        public override string ToString() => $"m {M} k {K} n {N} batch-lead {BatchLead} seed {Seed}";
    }

    public static Arbitrary<MatMulCase> MatMuls(int maxDim = 5) =>
        Arb.From(
            from m in Gen.Choose(1, maxDim) from k in Gen.Choose(1, maxDim) from n in Gen.Choose(1, maxDim)
            from lead in Gen.Choose(1, 3) from s in Seeds select new MatMulCase(m, k, n, s, lead),
            Shrink<MatMulCase>(c => new[] { c with { M = c.M - 1 }, c with { K = c.K - 1 }, c with { N = c.N - 1 }, c with { BatchLead = c.BatchLead - 1 } }
                .Where(x => x.M >= 1 && x.K >= 1 && x.N >= 1 && x.BatchLead >= 1)));

    /// <summary>
    /// Draws for the gradient-check registry (<see cref="GradCheckSuite.Cases"/>): a shape of rank 1–3 with dimensions 1–4,
    /// B∈[1,4], T∈[1,6], D∈[1,5], H∈[1,5] and a seed, every size shrinking towards 1.
    /// </summary>
    public static Arbitrary<GradCheckDraw> Draws() =>
        Arb.From(
            from dims in Dims(1, 3) from b in Gen.Choose(1, 4) from t in Gen.Choose(1, 6) from d in Gen.Choose(1, 5) from h in Gen.Choose(1, 5)
            from s in Seeds select new GradCheckDraw(dims, b, t, d, h, s),
            Shrink<GradCheckDraw>(c => ShrinkDims(c.Dims).Select(dims => c with { Dims = dims })
                .Concat(new[] { c with { Batch = c.Batch - 1 }, c with { Time = c.Time - 1 }, c with { Input = c.Input - 1 }, c with { Hidden = c.Hidden - 1 } })
                .Where(x => x.Batch >= 1 && x.Time >= 1 && x.Input >= 1 && x.Hidden >= 1)));

    /// <summary>Asserts a gradient check passes, with the report as the failure message.</summary>
    public static void GradOk<TTree>(Func<TTree, Tensor<double>> f, TTree x, GradCheckOptions? options = null)
    {
        var r = GradCheck.Check(f, x, options);
        Assert.True(r.Passed, r.Report);
    }
}

/// <summary>
/// The generators above as FsCheck arbitraries. A property names them with <c>Arbitrary = new[] { typeof(...) }</c> on its
/// <c>[Property]</c> or on its class's <c>[Properties]</c> attribute, and takes its case as a parameter. FsCheck registers every
/// static member of such a class that returns an <see cref="Arbitrary{T}"/>, so each class holds one setting; a method's
/// arbitraries take precedence over its class's, which is how one test uses another setting of a case type than its class.
/// On failure FsCheck.Xunit reports the replay seed and the shrunk case (its <c>ToString</c>).
/// </summary>
public static class Arbs
{
    /// <summary><see cref="Props.Tensors"/> as it is: rank 1–3, dimensions 1–4.</summary>
    public static class Tensors { public static Arbitrary<TensorCase> Cases() => Props.Tensors(); }

    /// <summary>Rank 2–3, dimensions 1–4.</summary>
    public static class Rank2To3Tensors { public static Arbitrary<TensorCase> Cases() => Props.Tensors(2, 3); }

    /// <summary>Matrices: rank 2, dimensions 1–4.</summary>
    public static class Matrices { public static Arbitrary<TensorCase> Cases() => Props.Tensors(2, 2); }

    /// <summary>Rank 1–3, dimensions 1–6.</summary>
    public static class TensorsUpTo6 { public static Arbitrary<TensorCase> Cases() => Props.Tensors(1, 3, maxDim: 6); }

    /// <summary>Rank 3, dimensions 1–6.</summary>
    public static class Rank3TensorsUpTo6 { public static Arbitrary<TensorCase> Cases() => Props.Tensors(3, 3, 6); }

    /// <summary><see cref="Props.MatMuls"/> as it is: m, k, n in 1–5.</summary>
    public static class MatMuls { public static Arbitrary<Props.MatMulCase> Cases() => Props.MatMuls(); }

    /// <summary><see cref="Props.Draws"/>: the draws of the gradient-check registry.</summary>
    public static class GradCheckDraws { public static Arbitrary<GradCheckDraw> Cases() => Props.Draws(); }

    /// <summary><see cref="CellCase.Arb"/> as it is: B∈[1,4], T∈[1,6], D∈[1,5], H∈[1,5].</summary>
    public static class Cells { public static Arbitrary<CellCase> Cases() => CellCase.Arb(); }

    /// <summary><see cref="AttentionCase.Arb"/>.</summary>
    public static class Attention { public static Arbitrary<AttentionCase> Cases() => AttentionCase.Arb(); }

    /// <summary><see cref="ClockworkCase.Arb"/> as it is: 1–14 steps.</summary>
    public static class Clockworks { public static Arbitrary<ClockworkCase> Cases() => ClockworkCase.Arb(); }

    /// <summary>Clockworks of 1–7 steps (for the gradchecks).</summary>
    public static class ShortClockworks { public static Arbitrary<ClockworkCase> Cases() => ClockworkCase.Arb(maxT: 7); }
}
