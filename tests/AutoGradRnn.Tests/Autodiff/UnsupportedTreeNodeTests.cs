using System.Collections;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public sealed record WithDictionary(Tensor<double> W, Dictionary<string, Tensor<double>> Weights);
public interface ITreeLayer;
public sealed record PlainLayer(Tensor<double> W) : ITreeLayer;
public sealed record MappedLayer(Dictionary<string, Tensor<double>> Weights) : ITreeLayer;
public sealed record LayeredNet(ITreeLayer[] Layers);
public sealed record Holder(Tensor<double> W, object Inner);
public sealed record WithPublicField(Tensor<double> W) { public Tensor<double> Extra = Tensor.Zeros<double>(1); }
public sealed record WithGetOnly(Tensor<double> W) { public Tensor<double> Extra { get; } = Tensor.Zeros<double>(1); }
public sealed class MutableModel { public Tensor<double> W { get; set; } = Tensor.Zeros<double>(1); }
public struct FieldStruct { public Tensor<double> W; }
public sealed class CtorMissesOne(Tensor<double> w)
{
    public Tensor<double> W { get; } = w;
    public Tensor<double> B { get; set; } = Tensor.Zeros<double>(1);
}
public sealed record ReadOnlyNet(IReadOnlyList<Tensor<double>> Layers);
public sealed record Config(Dictionary<string, int> Sizes, int[,] Grid, HashSet<string> Tags, IReadOnlyList<int> Periods);
public sealed record WithConfig(Tensor<double> W, Config Config);
public struct TwoFieldStruct { public Tensor<double> W; public int Steps; }
public sealed class CtorMissesGetOnly(Tensor<double> w)
{
    public Tensor<double> W { get; } = w;
    public Tensor<double> C { get; } = Tensor.Zeros<double>(1);
}
public sealed class CtorMissesSetter(Tensor<double> w)
{
    private Tensor<double> store = Tensor.Zeros<double>(1);
    public Tensor<double> W { get; } = w;
    public Tensor<double> D { get => store; set => store = value; }
}
public abstract class AbstractLayer;
public sealed class ConcreteLayer : AbstractLayer;
public sealed record WithGetOnlyAbstract(Tensor<double> W) { public AbstractLayer Extra { get; } = new ConcreteLayer(); }
public sealed class Chain { public Chain? Next; public int Value; }
public sealed record WithChain(Tensor<double> W, Chain Links, Version Version);
public sealed record WithSettings(Tensor<double> W, Func<double, double> Activation, decimal Rate, DayOfWeek Day, string Name);

/// <summary>
/// Nodes the tree walker does not traverse are refused by every tree operation, with the path and the type, instead of
/// being carried along with their tensors ungraded (the fault: grad over a record holding a dictionary returned the
/// parameter itself as its "gradient").
/// </summary>
public class UnsupportedTreeNodeTests
{
    private static readonly Tensor<double> One = Tensor.FromArray([1.0]);

    /// <summary>One unsupported kind inside a holder record, the name its type is printed with, what the message calls it and what it says to use instead.</summary>
    public sealed record Kind(string Name, Func<object> Make, string? TypeName, string What, string Instead)
    {
        public override string ToString() => Name;
    }

    private const string Containers = "an array, a List<T> or an F# list";
    private const string UseRecord = "use a record with one property per tensor (its names become the paths), or " + Containers;
    private const string UseConstructor = "make it a C# record, or give it a public constructor whose parameters match its public properties by name";

    public static readonly Kind[] Kinds =
    [
        new("dictionary", () => new Dictionary<string, Tensor<double>> { ["a"] = One }, "Dictionary<string, Tensor<double>>", "a dictionary", UseRecord),
        new("sorted dictionary", () => new SortedDictionary<string, Tensor<double>> { ["a"] = One }, "SortedDictionary<string, Tensor<double>>", "a dictionary", UseRecord),
        new("immutable dictionary", () => ImmutableDictionary<string, Tensor<double>>.Empty.Add("a", One), "ImmutableDictionary<string, Tensor<double>>", "a dictionary", UseRecord),
        new("hashtable", () => new Hashtable { ["a"] = One }, "Hashtable", "a dictionary", UseRecord),
        new("hash set", () => new HashSet<Tensor<double>> { One }, "HashSet<Tensor<double>>", "a set", "use " + Containers + " (a set has no order to pair leaves by)"),
        new("lazy sequence", () => new[] { One }.Select(t => t), null, "a collection", "use " + Containers),
        new("read-only collection", () => new ReadOnlyCollection<Tensor<double>>([One]), "ReadOnlyCollection<Tensor<double>>", "a collection", "use " + Containers),
        new("immutable array", () => ImmutableArray.Create(One), "ImmutableArray<Tensor<double>>", "a collection", "use " + Containers),
        new("immutable list", () => ImmutableList.Create(One), "ImmutableList<Tensor<double>>", "a collection", "use " + Containers),
        new("queue", () => new Queue<Tensor<double>>([One]), "Queue<Tensor<double>>", "a collection", "use " + Containers),
        new("linked list", () => new LinkedList<Tensor<double>>([One]), "LinkedList<Tensor<double>>", "a collection", "use " + Containers),
        new("array list", () => new ArrayList { One }, "ArrayList", "a collection", "use " + Containers),
        new("list of records in a dictionary", () => new Dictionary<int, PlainLayer> { [0] = new(One) }, "Dictionary<int, PlainLayer>", "a dictionary", UseRecord),
        new("multidimensional array", () => new Tensor<double>[,] { { One } }, "Tensor<double>[,]", "a multidimensional array", "use a jagged array (T[][]) or nested List<T>"),
        new("tuple of 8", () => (One, One, One, One, One, One, One, One), "ValueTuple<Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>, Tensor<double>, ValueTuple<Tensor<double>>>", "a tuple of more than 7 items", "use a record, or nest tuples of at most 7 items"),
        new("lazy", () => new Lazy<Tensor<double>>(() => One), "Lazy<Tensor<double>>", "a wrapper", "use a record, a tuple, " + Containers),
        new("mutable class", () => new MutableModel(), "MutableModel", "neither a record nor an immutable class", UseConstructor),
        new("struct with a field", () => new FieldStruct { W = One }, "FieldStruct", "neither a record nor an immutable class", UseConstructor),
        new("struct with a tensor field and another", () => new TwoFieldStruct { W = One }, "TwoFieldStruct", "neither a record nor an immutable class", UseConstructor),
    ];

    /// <summary>Every tree operation, applied to a tree <c>Holder(W, inner)</c>.</summary>
    public static readonly (string Name, Action<Holder> Run)[] Operations =
    [
        ("Flatten", h => ParameterTree<double>.Flatten(h)),
        ("Map", h => ParameterTree<double>.Map(h, t => t)),
        ("Map2", h => ParameterTree<double>.Map2(h, h, (a, _) => a)),
        ("Unflatten", h => ParameterTree<double>.Unflatten(h, [One])),
        ("Grad", h => Autodiff.Grad((Holder p) => Sum(p.W))(h)),
        ("Adam.Init", h => new Adam<double>(0.1).Init(h)),
        ("GradientClipping", h => GradientClipping<double>.ByGlobalNorm(h, 1.0)),
    ];

    public static class Cases
    {
        public static Arbitrary<(Kind, int)> Arb() =>
            FsCheck.Fluent.Arb.From(from k in Gen.Elements(Kinds) from op in Gen.Choose(0, Operations.Length - 1) select (k, op));
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(Cases)])]
    public void Every_operation_refuses_every_unsupported_kind_naming_path_and_type((Kind Kind, int Op) c)
    {
        var e = Assert.Throws<UnsupportedTreeNodeException>(() => Operations[c.Op].Run(new Holder(One, c.Kind.Make())));
        Assert.Equal("Inner", e.Path);
        Assert.StartsWith($"parameter tree: Inner is {c.Kind.What}", e.Message);
        if (c.Kind.TypeName is { } type) Assert.Contains($"({type})", e.Message);   // null: a LINQ iterator, whose name is the runtime's own
        Assert.Contains("which parameter trees do not traverse, so its tensors would get no gradient, update or checkpoint entry; ", e.Message);
        Assert.EndsWith("entry; " + c.Kind.Instead, e.Message);
    }

    [Fact]
    public void Every_kind_is_refused()   // the property draws kinds at random; this names any kind that slips through
    {
        foreach (var kind in Kinds)
        {
            var e = Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new Holder(One, kind.Make())));
            Assert.Equal("Inner", e.Path);
            Assert.EndsWith("entry; " + kind.Instead, e.Message);
        }
    }

    [Fact]
    public void Grad_over_a_record_holding_a_dictionary_throws_instead_of_returning_the_parameter()
    {
        var p = new WithDictionary(One, new() { ["w"] = Tensor.FromArray([3.0]) });
        var e = Assert.Throws<UnsupportedTreeNodeException>(() => Autodiff.Grad((WithDictionary q) => Sum(q.W * q.Weights["w"]))(p));
        Assert.Equal(
            "parameter tree: Weights is a dictionary (Dictionary<string, Tensor<double>>), which parameter trees do not traverse, so its tensors would get " +
            "no gradient, update or checkpoint entry; use a record with one property per tensor (its names become the paths), or an array, a List<T> or an F# list",
            e.Message);
        Assert.Equal(typeof(Dictionary<string, Tensor<double>>), e.NodeType);
    }

    [Fact]
    public void The_path_names_the_layer_and_the_member()
    {
        var net = new LayeredNet([new PlainLayer(One), new MappedLayer([])]);   // refused even when empty: decided by type
        Assert.Equal("Layers[1].Weights", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(net)).Path);
        Assert.Equal("", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new Dictionary<string, Tensor<double>>())).Path);
        Assert.StartsWith("parameter tree: the root is a dictionary", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new HashSet<Tensor<double>>().ToDictionary(t => t))).Message);
    }

    [Fact]
    public void A_collection_expression_for_an_interface_typed_property_is_refused_with_what_to_declare_instead()
    {
        var e = Assert.Throws<UnsupportedTreeNodeException>(() => Autodiff.Grad((ReadOnlyNet n) => Sum(n.Layers[0]))(new ReadOnlyNet([One, One])));
        Assert.Equal("Layers", e.Path);
        Assert.StartsWith("parameter tree: Layers is a read-only collection the compiler built for a collection expression", e.Message);
        Assert.EndsWith("declare the property as an array or a List<T>: [a, b] for an IReadOnlyList<T> or IEnumerable<T> builds a type the walker cannot rebuild", e.Message);
        // The same property holding a List<T> or an array is a tree.
        Assert.Equal(["Layers[0]", "Layers[1]"], ParameterTree<double>.Flatten(new ReadOnlyNet(new List<Tensor<double>> { One, One })).Select(n => n.Name));
        var g = Autodiff.Grad((ReadOnlyNet n) => Sum(n.Layers[0] * 3.0))(new ReadOnlyNet(new[] { One, One }));
        TensorAssert.Close(Tensor.FromArray([3.0]), g.Layers[0]);
    }

    [Fact]
    public void Record_members_the_walker_would_skip_are_refused()
    {
        var field = Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new WithPublicField(One)));
        Assert.Equal("Extra", field.Path);
        Assert.StartsWith("parameter tree: Extra is a public field (Tensor<double>)", field.Message);
        Assert.EndsWith("make it a property with an init accessor, or a positional parameter", field.Message);
        var getOnly = Assert.Throws<UnsupportedTreeNodeException>(() => Autodiff.Grad((WithGetOnly q) => Sum(q.W))(new WithGetOnly(One)));
        Assert.StartsWith("parameter tree: Extra is a get-only property (Tensor<double>)", getOnly.Message);
        Assert.EndsWith("give it an init accessor, or make it a positional parameter", getOnly.Message);
        // A get-only auto-property, and a settable one whose value lives elsewhere, that the constructor does not take.
        Assert.Equal("C", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new CtorMissesGetOnly(One))).Path);
        Assert.Equal("D", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new CtorMissesSetter(One))).Path);
        // A get-only property of an abstract type may hold a record of tensors at run time.
        Assert.Equal("Extra", Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Flatten(new WithGetOnlyAbstract(One))).Path);
        var ctor = Assert.Throws<UnsupportedTreeNodeException>(() => ParameterTree<double>.Map(new CtorMissesOne(One), t => t));
        Assert.StartsWith("parameter tree: B is a property its constructor does not take (Tensor<double>)", ctor.Message);
        Assert.EndsWith("add it to the public constructor's parameters (same name), or make the type a C# record", ctor.Message);
    }

    [Fact]
    public void Values_that_cannot_hold_tensors_are_still_carried_along_unchanged()
    {
        var config = new Config(new() { ["h"] = 4 }, new int[2, 2], ["x"], [1, 2, 4]);
        var p = new WithConfig(One, config);
        Assert.Equal(["W"], ParameterTree<double>.Flatten(p).Select(n => n.Name));
        var g = Autodiff.Grad((WithConfig q) => Sum(q.W * 2.0))(p);
        Assert.Same(config, g.Config);
        TensorAssert.Close(Tensor.FromArray([2.0]), g.W);
        // Delegates, decimals, enums and strings hold no tensors and are carried along unchanged.
        Func<double, double> activation = Math.Tanh;
        var settings = new WithSettings(One, activation, 0.1m, DayOfWeek.Monday, "w");
        Assert.Equal(["W"], ParameterTree<double>.Flatten(settings).Select(n => n.Name));
        Assert.Same(activation, ParameterTree<double>.Map(settings, t => t).Activation);
        // A class that refers to itself but holds no tensor, and a framework type that is not a collection.
        var chained = new WithChain(One, new Chain { Next = new Chain() }, new Version(1, 2));
        Assert.Equal(["W"], ParameterTree<double>.Flatten(chained).Select(n => n.Name));
        // A computed property is derived from the others, so skipping it is right.
        Assert.Equal(["Scale"], ParameterTree<double>.Flatten(new InitOnly { Scale = One }).Select(n => n.Name));
        // The library's own trees pass: a clockwork RNN's periods are an IReadOnlyList<int>.
        Assert.Equal(9, ParameterTree<double>.Flatten(ClockworkRnn<double>.Create(2, 2, [1, 2, 4], 1)).Count);
    }
}
