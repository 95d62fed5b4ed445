namespace AutoGradRnn;

/// <summary>One entry of <see cref="GradCheckSuite"/>: what was checked and how it went.</summary>
public sealed record GradCheckSuiteEntry(string Name, string Kind, GradCheckResult Result);

/// <summary>
/// The library's gradient verification in one call: every case of the registry <see cref="Cases"/> (every differentiable
/// <see cref="Ops"/> overload, every cell unrolled over a short sequence into a scalar, and the layers around them),
/// gradchecked in float64 on small random inputs. The test suite runs the very same cases property-based over many sizes
/// and checks by reflection that no op or cell is missing; this is the quick self-check a user can run on their own
/// machine (<c>autogradrnn gradcheck</c>).
/// </summary>
public static partial class GradCheckSuite
{
    /// <summary>Runs every case on <see cref="GradCheckDraw.Default"/>(<paramref name="seed"/>).</summary>
    public static IReadOnlyList<GradCheckSuiteEntry> Run(long seed = 0)
    {
        var draw = GradCheckDraw.Default(seed);
        return [.. Cases.Select(c => new GradCheckSuiteEntry(c.Name, c.Kind, c.Check(draw)))];
    }
}
