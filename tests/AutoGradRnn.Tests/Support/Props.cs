using FsCheck;
using FsCheck.Fluent;

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

/// <summary>FsCheck generators and the runner every property test uses.</summary>
public static class Props
{
    /// <summary>Runs a property with FsCheck, throwing (with replay seed and shrunk case) on the first failure.</summary>
    public static void Check<TCase>(Arbitrary<TCase> arb, Action<TCase> body, int maxTest = 30) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true), Prop.ForAll(arb, body));

    public static Gen<long> Seeds => Gen.Choose(0, int.MaxValue).Select(i => (long)i);

    /// <summary>A shape of rank [minRank, maxRank] with dimensions in [1, maxDim].</summary>
    public static Gen<int[]> Dims(int minRank, int maxRank, int maxDim = 4) =>
        Gen.Choose(minRank, maxRank).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, maxDim), r));

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
            c => ShrinkDims(c.Dims).Select(d => c with { Dims = d }));

    /// <summary>Matrix-product dimensions (m, k, n) and a seed.</summary>
    public sealed record MatMulCase(int M, int K, int N, long Seed, int BatchLead)
    {
        public override string ToString() => $"m {M} k {K} n {N} batch-lead {BatchLead} seed {Seed}";
    }

    public static Arbitrary<MatMulCase> MatMuls(int maxDim = 5) =>
        Arb.From(
            from m in Gen.Choose(1, maxDim) from k in Gen.Choose(1, maxDim) from n in Gen.Choose(1, maxDim)
            from lead in Gen.Choose(1, 3) from s in Seeds select new MatMulCase(m, k, n, s, lead),
            c => new[] { c with { M = c.M - 1 }, c with { K = c.K - 1 }, c with { N = c.N - 1 }, c with { BatchLead = c.BatchLead - 1 } }
                .Where(x => x.M >= 1 && x.K >= 1 && x.N >= 1 && x.BatchLead >= 1));

    /// <summary>Asserts a gradient check passes, with the report as the failure message.</summary>
    public static void GradOk<TTree>(Func<TTree, Tensor<double>> f, TTree x, GradCheckOptions? options = null)
    {
        var r = GradCheck.Check(f, x, options);
        Assert.True(r.Passed, r.Report);
    }
}
