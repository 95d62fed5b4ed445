using FsCheck;
using FsCheck.Fluent;

namespace AutoGradRnn.Tests;

/// <summary>A random recurrent problem: batch B, time T, input D, hidden H, and the seed of every value in it.</summary>
public sealed record CellCase(int B, int T, int D, int H, long Seed)
{
    public override string ToString() => $"B {B} T {T} D {D} H {H} seed {Seed}";

    public Tensor<double> Inputs => Tensor.RandomNormal<double>(new Shape(B, T, D), Seed + 11);

    /// <summary>Random lengths in [1, T] (at least one sequence full-length, so the batch spans T).</summary>
    public int[] Lengths
    {
        get
        {
            var rng = new Rng(Seed + 13);
            var lengths = Enumerable.Range(0, B).Select(_ => 1 + rng.NextInt(T)).ToArray();
            lengths[rng.NextInt(B)] = T;
            return lengths;
        }
    }

    /// <summary>B∈[1,4], T∈[1,6], D∈[1,5], H∈[1,5], shrinking each towards 1.</summary>
    public static Arbitrary<CellCase> Arb(int maxB = 4, int maxT = 6, int maxD = 5, int maxH = 5) =>
        FsCheck.Fluent.Arb.From(
            from b in Gen.Choose(1, maxB) from t in Gen.Choose(1, maxT) from d in Gen.Choose(1, maxD) from h in Gen.Choose(1, maxH)
            from s in Props.Seeds select new CellCase(b, t, d, h, s),
            Props.Shrink<CellCase>(c => new[] { c with { B = c.B - 1 }, c with { T = c.T - 1 }, c with { D = c.D - 1 }, c with { H = c.H - 1 } }
                .Where(x => x.B >= 1 && x.T >= 1 && x.D >= 1 && x.H >= 1)));
}
