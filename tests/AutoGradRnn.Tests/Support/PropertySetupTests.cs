using System.Reflection;
using FsCheck;
using FsCheck.Xunit;

namespace AutoGradRnn.Tests;

/// <summary>
/// How the [Property] tests are wired. A case type with no arbitrary registered for its property would not fail: FsCheck
/// would silently build a reflective generator for it, with other ranges (negative sizes, huge seeds) and no shrinking.
/// </summary>
public class PropertySetupTests
{
    private static readonly Assembly Tests = typeof(PropertySetupTests).Assembly;

    /// <summary>The case types that the static members of the given arbitrary classes generate.</summary>
    private static HashSet<Type> Generated(IEnumerable<Type> arbitraryClasses) =>
        arbitraryClasses
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(m => m.GetParameters().Length == 0 && m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Arbitrary<>))
            .Select(m => m.ReturnType.GetGenericArguments()[0])
            .ToHashSet();

    [Fact]
    public void Every_property_argument_has_an_arbitrary_registered_on_its_method_or_class()
    {
        var properties = Tests.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<PropertyAttribute>()))
            .Where(p => p.Attribute is not null)
            .ToList();
        Assert.NotEmpty(properties);
        var missing = new List<string>();
        foreach (var (method, attribute) in properties)
        {
            var owner = method.DeclaringType!;
            var generated = Generated(attribute!.Arbitrary
                .Concat(owner.GetCustomAttribute<PropertiesAttribute>()?.Arbitrary ?? [])
                .Concat(Tests.GetCustomAttribute<PropertiesAttribute>()?.Arbitrary ?? []));
            missing.AddRange(method.GetParameters().Where(p => !generated.Contains(p.ParameterType))
                .Select(p => $"{owner.Name}.{method.Name}({p.ParameterType.Name} {p.Name})"));
        }
        Assert.True(missing.Count == 0, "no arbitrary registered for " + string.Join(", ", missing));
    }
}
