using System.Collections;
using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace AutoGradRnn;

/// <summary>A tensor with its path in a parameter tree, e.g. <c>Layers[0].Wf</c>.</summary>
public sealed record NamedTensor<T>(string Name, Tensor<T> Value) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Parameter trees, as JAX calls them pytrees: any nesting of records, tuples, arrays and lists whose
/// leaves are <see cref="Tensor{T}"/>s. <see cref="Autodiff.Grad{TTree, T}(Func{TTree, Tensor{T}})"/>, optimizers and checkpoints
/// use it to return results "shaped like the parameters" without the user writing any plumbing.
/// </summary>
/// <remarks>
/// What is traversed: <see cref="Tensor{T}"/> (a leaf); arrays; <see cref="List{X}"/>; F# lists;
/// value tuples and tuples; C# records (through their copy constructor and init-setters); F# records
/// and any immutable class or struct with a public constructor whose parameters match its public
/// properties by name. Anything else that cannot hold a tensor (numbers, strings, enums, configuration objects) is
/// carried along unchanged. Anything else that could (a dictionary, a set, another kind of collection, a mutable class, a
/// multidimensional array, a tuple of more than 7 items, a record's public field or get-only auto-property) is refused
/// with an <see cref="UnsupportedTreeNodeException"/> naming its path, rather than leaving its tensors without gradients.
/// Leaves are visited in declaration order, depth first.
/// </remarks>
public static class ParameterTree<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Every tensor leaf with its path, in a fixed order.</summary>
    public static IReadOnlyList<NamedTensor<T>> Flatten(object tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var result = new List<NamedTensor<T>>();
        Visit(tree, "", (path, t) => result.Add(new NamedTensor<T>(path, t)));
        return result;
    }

    /// <summary>The tensor leaves, in the same order as <see cref="Flatten"/>.</summary>
    public static IReadOnlyList<Tensor<T>> Leaves(object tree) => Flatten(tree).Select(n => n.Value).ToList();

    /// <summary>A tree of the same structure with every leaf replaced by <paramref name="f"/>(leaf).</summary>
    public static TTree Map<TTree>(TTree tree, Func<Tensor<T>, Tensor<T>> f)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(f);
        return (TTree)Rebuild(tree, (_, t) => f(t));
    }

    /// <summary>A tree of the same structure with leaves <paramref name="f"/>(a-leaf, b-leaf) from two trees of the same structure.</summary>
    public static TTree Map2<TTree>(TTree a, TTree b, Func<Tensor<T>, Tensor<T>, Tensor<T>> f)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(f);
        var bs = Flatten(b);
        int i = 0;
        var result = (TTree)Rebuild(a, (path, t) =>
        {
            if (i >= bs.Count) throw new ShapeMismatchException("tree map", $"the trees differ: the second has no leaf for '{path}'");
            var other = bs[i++];
            if (other.Name != path || other.Value.Shape != t.Shape)
                throw new ShapeMismatchException("tree map", $"leaf '{path}' meets '{other.Name}'", t.Shape, other.Value.Shape);
            return f(t, other.Value);
        });
        if (i != bs.Count) throw new ShapeMismatchException("tree map", $"the trees differ: the second has {bs.Count} leaves, the first {i}");
        return result;
    }

    /// <summary>A tree shaped like <paramref name="template"/> with its leaves replaced, in order, by <paramref name="leaves"/>.</summary>
    public static TTree Unflatten<TTree>(TTree template, IReadOnlyList<Tensor<T>> leaves)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(leaves);
        int i = 0;
        var result = (TTree)Rebuild(template, (path, t) =>
        {
            if (i >= leaves.Count) throw new ShapeMismatchException("unflatten", $"{leaves.Count} leaves given, but the tree needs more (no leaf for '{path}')");
            var leaf = leaves[i++];
            if (leaf.Shape != t.Shape) throw new ShapeMismatchException("unflatten", $"leaf '{path}' has the wrong shape", leaf.Shape, t.Shape);
            return leaf;
        });
        if (i != leaves.Count) throw new ShapeMismatchException("unflatten", $"{leaves.Count} leaves given, the tree has {i}");
        return result;
    }

    private static void Visit(object? node, string path, Action<string, Tensor<T>> leaf)
    {
        if (node is Tensor<T> t) { leaf(path, t); return; }
        if (node is null || Decompose(node, path) is not { } parts) return;
        foreach (var (name, child) in parts.Children) Visit(child, Join(path, name), leaf);
    }

    private static object Rebuild(object node, Func<string, Tensor<T>, Tensor<T>> f, string path = "")
    {
        if (node is Tensor<T> t) return f(path, t);
        if (Decompose(node, path) is not { } parts) return node;
        var values = new object?[parts.Children.Count];
        bool changed = false;
        for (int i = 0; i < values.Length; i++)
        {
            var (name, child) = parts.Children[i];
            values[i] = child is null ? null : Rebuild(child, f, Join(path, name));
            changed |= !ReferenceEquals(values[i], child);
        }
        return changed ? parts.Build(values) : node;
    }

    private static string Join(string path, string name) =>
        name.StartsWith('[') || path.Length == 0 ? path + name : path + "." + name;

    private sealed record Parts(IReadOnlyList<(string Name, object? Value)> Children, Func<object?[], object> Build);

    /// <summary>How to take one node type apart and put it back together (found by reflection once per type), or why it is refused.</summary>
    private sealed record Plan(Func<object, IReadOnlyList<(string Name, object? Value)>> Children, Func<object, object?[], object> Build, Unsupported? Refused = null);

    // Reflection is slow next to a small training step, so each type's plan is worked out once (null: a value carried along).
    private static readonly ConcurrentDictionary<Type, Plan?> plans = new();

    private static Parts? Decompose(object node, string path)
    {
        if (plans.GetOrAdd(node.GetType(), PlanOrRefusal) is not { } plan) return null;
        if (plan.Refused is { } no)
            throw new UnsupportedTreeNodeException(no.Member.Length == 0 ? path : Join(path, no.Member), no.Type, no.What, no.Instead);
        return new Parts(plan.Children(node), values => plan.Build(node, values));
    }

    private static Plan? PlanOrRefusal(Type type)
    {
        static object Refused(object node, object?[] values) => throw new InvalidOperationException("a refused node is never rebuilt");
        if (MakePlan(type) is not { } plan)
            return UnsupportedNodes.WithoutPlan(type, typeof(Tensor<T>)) is { } why ? new Plan(_ => [], Refused, why) : null;
        return type.GetMethod("<Clone>$") is not null && UnsupportedNodes.HiddenInRecord(type, typeof(Tensor<T>)) is { } hidden ? plan with { Refused = hidden } : plan;
    }

    private static Plan? MakePlan(Type type)
    {
        if (type.IsArray && type.GetArrayRank() == 1 && type.GetElementType() is { } elementType)
            return new Plan(
                node => { var a = (Array)node; return Enumerable.Range(0, a.Length).Select(i => ($"[{i}]", a.GetValue(i))).ToList(); },
                (_, values) =>
                {
                    var a = Array.CreateInstance(elementType, values.Length);
                    for (int i = 0; i < values.Length; i++) a.SetValue(values[i], i);
                    return a;
                });
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            return new Plan(
                node => ((IList)node).Cast<object?>().Select((v, i) => ($"[{i}]", v)).ToList(),
                (_, values) =>
                {
                    var list = (IList)Activator.CreateInstance(type)!;
                    foreach (var v in values) list.Add(v);
                    return list;
                });
        if (type.IsGenericType && type.Name == "FSharpList`1" && type.GetMethod("Cons", BindingFlags.Public | BindingFlags.Static) is { } cons
            && type.GetProperty("Empty", BindingFlags.Public | BindingFlags.Static) is { } empty)
            return new Plan(
                node => ((IEnumerable)node).Cast<object?>().Select((v, i) => ($"[{i}]", v)).ToList(),
                (_, values) =>
                {
                    var list = empty.GetValue(null)!;
                    for (int i = values.Length - 1; i >= 0; i--) list = cons.Invoke(null, [values[i], list])!;
                    return list;
                });
        if (typeof(ITuple).IsAssignableFrom(type) && type.FullName!.StartsWith("System.", StringComparison.Ordinal) && type.GetGenericArguments().Length <= 7)
        {
            var ctor = type.GetConstructor(type.GetGenericArguments())!;
            return new Plan(
                node => { var tuple = (ITuple)node; return Enumerable.Range(0, tuple.Length).Select(i => ($"Item{i + 1}", tuple[i])).ToList(); },
                (_, values) => ctor.Invoke(values));
        }
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (type.GetMethod("<Clone>$") is { } clone)
        {
            // A C# record: copy it (its copy constructor keeps everything else) and set the data properties.
            var settable = props.Where(p => p.SetMethod is { IsPublic: true }).ToArray();
            return new Plan(
                node => settable.Select(p => (p.Name, p.GetValue(node))).ToList(),
                (node, values) =>
                {
                    var copy = clone.Invoke(node, null)!;
                    for (int i = 0; i < settable.Length; i++) settable[i].SetValue(copy, values[i]);
                    return copy;
                });
        }
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true) return null;
        // F# records and immutable classes: a public constructor whose parameters are the properties.
        foreach (var ctor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var ps = ctor.GetParameters();
            if (ps.Length == 0) continue;
            var matched = ps.Select(p => props.FirstOrDefault(q => string.Equals(q.Name, p.Name, StringComparison.OrdinalIgnoreCase) && p.ParameterType.IsAssignableFrom(q.PropertyType))).ToArray();
            if (matched.Any(m => m is null)) continue;
            return new Plan(node => matched.Select(p => (p!.Name, p.GetValue(node))).ToList(), (_, values) => ctor.Invoke(values),
                UnsupportedNodes.NotInConstructor(type, matched!, typeof(Tensor<T>)));
        }
        return null;
    }
}
