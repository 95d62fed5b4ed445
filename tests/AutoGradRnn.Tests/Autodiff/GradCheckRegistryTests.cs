using System.Reflection;
using FsCheck;
using FsCheck.Fluent;

namespace AutoGradRnn.Tests;

/// <summary>
/// The gradient-check registry <see cref="GradCheckSuite.Cases"/>, which <c>autogradrnn gradcheck</c> runs once on small
/// sizes, run here over random sizes and seeds (FsCheck, shrinking to the smallest failing draw); and, by reflection, the
/// proof that it leaves out no differentiable op and no cell.
/// </summary>
public class GradCheckRegistryTests
{
    public static TheoryData<string> CaseNames() => [.. GradCheckSuite.Cases.Select(c => c.Name)];

    [Theory, MemberData(nameof(CaseNames))]
    public void Case_gradchecks_over_random_sizes(string name)
    {
        var c = GradCheckSuite.Cases.Single(x => x.Name == name);
        // Ops are cheap; an unrolled cell is a whole sequence per perturbed element.
        int runs = c.Kind == "op" ? 30 : 10;
        var property = Prop.ForAll(Arbs.GradCheckDraws.Cases(), draw =>
        {
            var r = c.Check(draw);
            Assert.True(r.Passed, $"{c.Name} at {draw}: {r.Report}");
        });
        Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(runs), property);
    }

    [Fact]
    public void Case_names_are_unique_and_every_kind_is_known()
    {
        Assert.Equal(GradCheckSuite.Cases.Count, GradCheckSuite.Cases.Select(c => c.Name).Distinct().Count());
        Assert.All(GradCheckSuite.Cases, c => Assert.Contains(c.Kind, new[] { "op", "cell", "layer" }));
    }

    private static readonly Assembly Library = typeof(Ops).Assembly;

    /// <summary><c>Name(parameter, names)</c>, the form a case's <see cref="GradCheckCase.Covers"/> names an overload in.</summary>
    private static string Signature(MethodInfo m) => $"{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.Name))})";

    private static bool ReturnsTensors(MethodInfo m)
    {
        var t = m.ReturnType.IsArray ? m.ReturnType.GetElementType()! : m.ReturnType;
        return t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Tensor<>);
    }

    private static HashSet<string> OpSignatures() =>
        typeof(Ops).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(ReturnsTensors).Select(Signature).ToHashSet();

    /// <summary>Public cell types: every non-abstract type implementing <see cref="IRecurrentCell{TState, T}"/>, by name without arity.</summary>
    private static HashSet<string> CellTypes() =>
        Library.GetExportedTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRecurrentCell<,>)))
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet();

    [Fact]
    public void Every_public_tensor_returning_op_overload_has_a_case_or_a_stated_exclusion()
    {
        var covered = GradCheckSuite.Cases.Where(c => c.Kind == "op").SelectMany(c => c.Covers).ToHashSet();
        var ops = OpSignatures();
        Assert.True(ops.Count > 30, $"reflection found only {ops.Count} ops");
        var missing = ops.Where(s => !covered.Contains(s) && !GradCheckSuite.NotChecked.ContainsKey(s)).Order().ToList();
        Assert.True(missing.Count == 0, "ops without a gradcheck case: " + string.Join("; ", missing));
        // Stale names: a case or an exclusion naming an overload that no longer exists (renamed parameter, removed op).
        var stale = covered.Concat(GradCheckSuite.NotChecked.Keys).Where(s => !ops.Contains(s)).Order().ToList();
        Assert.True(stale.Count == 0, "registry names no such Ops overload: " + string.Join("; ", stale));
        Assert.Empty(covered.Intersect(GradCheckSuite.NotChecked.Keys));
    }

    [Fact]
    public void Every_cell_type_has_a_case()
    {
        var cells = CellTypes();
        Assert.Contains("Lstm", cells);
        Assert.Contains("Stacked", cells);
        var covered = GradCheckSuite.Cases.Where(c => c.Kind == "cell").SelectMany(c => c.Covers).ToHashSet();
        Assert.Equal(cells.Order(), covered.Order());
    }

    [Fact]
    public void Layer_cases_name_public_types()
    {
        var types = Library.GetExportedTypes().Select(t => t.Name.Split('`')[0]).ToHashSet();
        Assert.All(GradCheckSuite.Cases.Where(c => c.Kind == "layer").SelectMany(c => c.Covers), name => Assert.Contains(name, types));
    }

    /// <summary>A case made of several gradchecks must not hide a failing one among passing ones, and counts all their values.</summary>
    [Fact]
    public void Combined_checks_report_the_first_failure_and_sum_the_counts()
    {
        var x = Tensor.FromArray([0.5, -1.0, 2.0]);
        GradCheckResult Good() => GradCheck.Check((Tensor<double> v) => Ops.Exp(v), x);
        // eps 0.5 makes the central difference of exp visibly wrong, so this check fails.
        GradCheckResult Bad() => GradCheck.Check((Tensor<double> v) => Ops.Exp(v), x, new GradCheckOptions { Eps = 0.5, Rtol = 0, Atol = 1e-9 });
        Assert.False(Bad().Passed);
        var combined = GradCheckSuite.All([Good, Bad, Good]);
        Assert.False(combined.Passed);
        Assert.Equal(0.5, combined.Options.Eps);
        Assert.Equal(2 * Good().Compared, combined.Compared);      // stops at the failure: the third check is not run
        var passing = GradCheckSuite.All([Good, Good]);
        Assert.True(passing.Passed);
        Assert.Equal(2 * Good().Compared, passing.Compared);
    }

    [Fact]
    public void The_suite_reports_every_case_and_all_pass_on_the_default_draw()
    {
        var entries = GradCheckSuite.Run(seed: 3);
        Assert.Equal(GradCheckSuite.Cases.Select(c => c.Name), entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.True(e.Result.Passed, $"{e.Name}: {e.Result.Report}"));
    }
}
