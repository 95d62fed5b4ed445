using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace AutoGradRnn;

/// <summary>Why a node type cannot be part of a parameter tree, if it might hold tensors the walker would skip.</summary>
/// <param name="Member">The member that hides tensors (a record's field or get-only property), or "" for the node itself.</param>
/// <param name="Type">The type of the node or member.</param>
/// <param name="What">What it is, e.g. "a dictionary".</param>
/// <param name="Instead">What to use instead.</param>
internal sealed record Unsupported(string Member, Type Type, string What, string Instead);

/// <summary>
/// The rules that tell a node the tree walker may carry along unchanged (numbers, strings, configuration) from one it
/// must refuse because tensors inside it would silently get no gradient. Decided from types alone, so an empty
/// dictionary of tensors is refused like a full one.
/// </summary>
internal static class UnsupportedNodes
{
    private const string Containers = "an array, a List<T> or an F# list";
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>For a type the walker has no plan for: null if it cannot hold a <paramref name="tensor"/>, else why it is refused.</summary>
    public static Unsupported? WithoutPlan(Type type, Type tensor)
    {
        if (!MayHold(type, tensor, [])) return null;
        if (type.IsArray) return new("", type, "a multidimensional array", "use a jagged array (T[][]) or nested List<T>");
        if (typeof(ITuple).IsAssignableFrom(type) && IsSystem(type))
            return new("", type, "a tuple of more than 7 items", "use a record, or nest tuples of at most 7 items");
        if (Implements(type, typeof(IDictionary<,>)) || Implements(type, typeof(IReadOnlyDictionary<,>)) || typeof(IDictionary).IsAssignableFrom(type))
            return new("", type, "a dictionary", "use a record with one property per tensor (its names become the paths), or " + Containers);
        if (Implements(type, typeof(ISet<>)) || Implements(type, typeof(IReadOnlySet<>)))
            return new("", type, "a set", "use " + Containers + " (a set has no order to pair leaves by)");
        if (typeof(IEnumerable).IsAssignableFrom(type) && type.Name.StartsWith('<'))
            return new("", type, "a read-only collection the compiler built for a collection expression",
                "declare the property as an array or a List<T>: [a, b] for an IReadOnlyList<T> or IEnumerable<T> builds a type the walker cannot rebuild");
        if (typeof(IEnumerable).IsAssignableFrom(type))
            return new("", type, "a collection of a kind the walker does not rebuild", "use " + Containers);
        if (IsSystem(type)) return new("", type, "a wrapper the walker does not open", "use a record, a tuple, " + Containers);
        return new("", type, "neither a record nor an immutable class",
            "make it a C# record, or give it a public constructor whose parameters match its public properties by name");
    }

    /// <summary>For a C# record: a public field or a get-only auto-property that may hold tensors (the walker only sets init/positional properties).</summary>
    public static Unsupported? HiddenInRecord(Type record, Type tensor)
    {
        foreach (var f in record.GetFields(BindingFlags.Instance | BindingFlags.Public))
            if (MayHold(f.FieldType, tensor, []))
                return new(f.Name, f.FieldType, "a public field", "make it a property with an init accessor, or a positional parameter");
        foreach (var p in record.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            if (p.SetMethod is not { IsPublic: true } && p.GetIndexParameters().Length == 0 && BackingField(p) is not null && MayHold(p.PropertyType, tensor, []))
                return new(p.Name, p.PropertyType, "a get-only property", "give it an init accessor, or make it a positional parameter");
        return null;
    }

    /// <summary>For a class rebuilt through its constructor: a stored property the constructor does not take, which a rebuild would lose.</summary>
    public static Unsupported? NotInConstructor(Type type, IReadOnlyCollection<PropertyInfo> taken, Type tensor)
    {
        foreach (var p in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            if (!taken.Contains(p) && p.GetIndexParameters().Length == 0 && (p.SetMethod is { IsPublic: true } || BackingField(p) is not null) && MayHold(p.PropertyType, tensor, []))
                return new(p.Name, p.PropertyType, "a property its constructor does not take", "add it to the public constructor's parameters (same name), or make the type a C# record");
        return null;
    }

    // A stored (auto) property, as opposed to a computed one, which is derived from the others and rightly skipped.
    private static FieldInfo? BackingField(PropertyInfo p)
    {
        for (var t = p.DeclaringType; t is not null; t = t.BaseType)
            if (t.GetField($"<{p.Name}>k__BackingField", Instance | BindingFlags.DeclaredOnly) is { } f) return f;
        return null;
    }

    /// <summary>Whether a value of static type <paramref name="type"/> could hold a <paramref name="tensor"/> somewhere inside.</summary>
    private static bool MayHold(Type type, Type tensor, HashSet<Type> seen)
    {
        if (type.IsAssignableFrom(tensor)) return true;   // the tensor type itself, object, or an interface it implements
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || type == typeof(string) || type == typeof(decimal) || typeof(Delegate).IsAssignableFrom(type)) return false;
        if (!seen.Add(type)) return false;
        if (type.HasElementType) return MayHold(type.GetElementType()!, tensor, seen);
        if (type.IsGenericType && type.GetGenericArguments().Any(a => MayHold(a, tensor, seen))) return true;
        if (IsSystem(type))
            // A non-generic collection (ArrayList, Hashtable) holds objects; other framework types hold no tensors of ours.
            return typeof(IEnumerable).IsAssignableFrom(type) && type != typeof(string) && !type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        if (type.IsInterface || type.IsAbstract) return true;   // a user abstraction may be implemented by a record of tensors
        for (var t = type; t is not null && !IsSystem(t); t = t.BaseType)
            if (t.GetFields(Instance | BindingFlags.DeclaredOnly).Any(f => MayHold(f.FieldType, tensor, seen))) return true;
        return false;
    }

    private static bool Implements(Type type, Type generic) =>
        (type.IsGenericType && type.GetGenericTypeDefinition() == generic) || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);

    private static bool IsSystem(Type type) =>
        type.Namespace is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.FSharp", StringComparison.Ordinal));
}
