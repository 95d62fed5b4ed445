using Xunit.Abstractions;

namespace AutoGradRnn.Tests;

/// <summary>
/// The library's promise to F# and C# users alike: a null argument to a public member is refused at once with an
/// <see cref="ArgumentNullException"/> naming that parameter, never a <see cref="NullReferenceException"/> deep inside.
/// One row per public type (see <see cref="NullGuardSweep"/>); this kills the mutants that drop an
/// <c>ArgumentNullException.ThrowIfNull(x)</c> or a null check from the public API.
/// </summary>
public class NullGuardTests(ITestOutputHelper output)
{
    public static TheoryData<string> TypeNames() => [.. NullGuardSweep.Types().Select(t => t.FullName!)];

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_public_member_refuses_a_null_argument_with_an_ArgumentNullException_naming_it(string typeName)
    {
        var type = NullGuardSweep.Library.GetType(typeName, throwOnError: true)!;
        var cases = NullGuardSweep.Run(type);
        foreach (var c in cases.Where(c => c.Outcome != NullGuardOutcome.Guarded)) output.WriteLine($"{c.Outcome}: {c}");
        var failed = cases.Where(c => c.Outcome == NullGuardOutcome.Failed).Select(c => c.ToString()).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} null argument(s) not refused by name:\n" + string.Join("\n", failed));
    }

    /// <summary>
    /// The sweep cannot silently check nothing: samples too poor, a closing that stopped working or a filter gone wrong
    /// would drop the count of checked (member, parameter) pairs below the floor (896 measured when written, over double
    /// and float, 10 of them null items; the floor leaves room for members removed).
    /// </summary>
    [Fact]
    public void The_null_guard_sweep_checks_enough_member_parameter_pairs()
    {
        var cases = NullGuardSweep.Types().SelectMany(NullGuardSweep.Run).ToList();
        int Count(NullGuardOutcome o) => cases.Count(c => c.Outcome == o);
        output.WriteLine($"checked {Count(NullGuardOutcome.Guarded)}, failed {Count(NullGuardOutcome.Failed)}, " +
                         $"not checkable {Count(NullGuardOutcome.NotCheckable)}, unbuildable {Count(NullGuardOutcome.Unbuildable)}, " +
                         $"skipped {Count(NullGuardOutcome.Skipped)} (allow-list and record primary constructors), " +
                         $"known null-item gaps {Count(NullGuardOutcome.KnownGap)}");
        foreach (var c in cases.Where(c => c.Outcome is not (NullGuardOutcome.Guarded or NullGuardOutcome.Skipped)))
            output.WriteLine($"{c.Outcome}: {c}");
        Assert.True(Count(NullGuardOutcome.Guarded) >= 850, $"only {Count(NullGuardOutcome.Guarded)} (member, parameter) pairs checked; expected at least 850");
    }

    /// <summary>
    /// The functions the gradient transforms return are public API the sweep cannot reach (it calls members, not their
    /// results): a null tree given to one is refused naming it (p, the returned function's parameter), not as an inner name.
    /// </summary>
    [Fact]
    public void The_functions_the_gradient_transforms_return_refuse_a_null_tree()
    {
        Func<Tensor<double>, Tensor<double>> f = w => Ops.Sum(w * w);
        Assert.Equal("p", Assert.Throws<ArgumentNullException>(() => Autodiff.Grad(f)(null!)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentNullException>(() => Autodiff.ValueAndGrad(f)(null!)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentNullException>(() =>
            Autodiff.ValueAndGradWithAux<Tensor<double>, double, int>(w => (Ops.Sum(w), 0))(null!)).ParamName);
    }
}
