using System.Reflection;

namespace AutoGradRnn.Tests;

/// <summary>
/// The rule of docs/architecture.md, over every cell and layer found by reflection (so a new one is held to it
/// without being listed): a bad size or hyperparameter is an <see cref="ArgumentOutOfRangeException"/> naming the
/// parameter; a wrong input width or rank is a <see cref="ShapeMismatchException"/>. (Wrong state shapes are the
/// same <see cref="ShapeMismatchException"/>, checked leaf by leaf for every cell in <see cref="StateCheckTests"/>.)
/// </summary>
public class ExceptionRuleTests
{
    /// <summary>Every public static <c>Create</c> of a public type of the library taking sizes: the cells' and the layers' factories.</summary>
    public static IEnumerable<object[]> Factories() =>
        CreateMethods()
            .Where(m => m.GetParameters().Any(IsSize) && m.GetParameters().All(p => Valid(p) is not Unknown))
            .Select(m => new object[] { Name(m) });

    [Fact]
    public void The_factories_found_include_every_cell_and_layer_family()
    {
        var names = Factories().Select(f => (string)f[0]).ToList();
        foreach (var expected in new[] { "Lstm", "Gru", "GruResetAfter", "Rnn", "PeepholeLstm", "CoupledLstm", "LayerNormLstm", "ProjectionLstm",
                     "ClockworkRnn", "DepthGatedLstm", "DepthGatedLstmLayer", "GridLstm", "AdditiveAttention", "AttentionSeq2Seq", "Linear", "Embedding" })
            Assert.Contains(names, n => n.StartsWith(expected + "(", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Factories))]
    public void A_size_that_is_not_positive_is_an_out_of_range_argument_naming_the_parameter(string factory)
    {
        var method = Method(factory);
        var parameters = method.GetParameters();
        var valid = parameters.Select(Valid).ToArray();
        Assert.NotNull(method.Invoke(null, valid));    // the valid sizes build
        foreach (var p in parameters.Where(IsSize))
            foreach (var bad in p.ParameterType == typeof(int) ? new object[] { 0, -1 } : [Spoiled(p)])
            {
                var args = (object?[])valid.Clone();
                args[p.Position] = bad;
                var e = Assert.Throws<TargetInvocationException>(() => method.Invoke(null, args)).InnerException;
                var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(e);
                Assert.Equal(p.Name, outOfRange.ParamName);
            }
    }

    [Theory]
    [MemberData(nameof(Factories))]
    public void An_input_of_the_wrong_width_or_rank_is_a_shape_mismatch(string factory)
    {
        var method = Method(factory);
        var made = method.Invoke(null, method.GetParameters().Select(Valid).ToArray())!;
        if (made.GetType().GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRecurrentCell<,>)) is { } cell)
        {
            int d = (int)cell.GetProperty("InputSize")!.GetValue(made)!;
            var state = cell.GetMethod("InitialState")!.Invoke(made, [3]);
            foreach (var input in new[] { Tensor.Zeros<double>(3, d + 1), Tensor.Zeros<double>(3, 1, d) })
                Assert.IsType<ShapeMismatchException>(Assert.Throws<TargetInvocationException>(() => cell.GetMethod("Step")!.Invoke(made, [state, input])).InnerException);
            var unroll = typeof(Sequence).GetMethods().Single(m => m.Name == "Unroll" && m.GetParameters().Length == 2).MakeGenericMethod(cell.GetGenericArguments());
            Assert.IsType<ShapeMismatchException>(Assert.Throws<TargetInvocationException>(() => unroll.Invoke(null, [made, Tensor.Zeros<double>(3, 4, d + 1)])).InnerException);
            return;
        }
        switch (made)
        {
            case Linear<double> linear:
                Assert.Throws<ShapeMismatchException>(() => linear.Apply(Tensor.Zeros<double>(3, linear.InputSize + 1)));
                break;
            case Embedding<double> embedding:
                Assert.Throws<ShapeMismatchException>(() => embedding.Apply([0, 1, 0], 2, 2));
                break;
            case DepthGatedLstmLayer<double> layer:
                var s = new LstmState<double>(Tensor.Zeros<double>(3, layer.OutputSize), Tensor.Zeros<double>(3, layer.OutputSize));
                Assert.Throws<ShapeMismatchException>(() => layer.StepWithGates(s, Tensor.Zeros<double>(3, layer.InputSize + 1), s.C));
                Assert.Throws<ShapeMismatchException>(() => layer.StepWithGates(s, Tensor.Zeros<double>(3, layer.InputSize), Tensor.Zeros<double>(3, layer.OutputSize + 1)));
                break;
            case AdditiveAttention<double> attention:
                Assert.Throws<ShapeMismatchException>(() => attention.Remember(Tensor.Zeros<double>(3, 4, attention.ValueSize + 1)));
                var memory = attention.Remember(Tensor.Zeros<double>(3, 4, attention.ValueSize));
                Assert.Throws<ShapeMismatchException>(() => attention.Attend(Tensor.Zeros<double>(3, attention.QuerySize + 1), memory));
                break;
            case AttentionSeq2Seq<LstmState<double>, double> seq2seq:
                var encoded = seq2seq.Encode(Seq2SeqBatch.Create([[0, 1], [1, 0]], [[1], [0]]));
                Assert.Throws<ShapeMismatchException>(() => seq2seq.DecoderStep(seq2seq.Decoder.InitialState(2), [1], encoded));
                break;
            default:
                Assert.Fail($"{factory} builds a {made.GetType().Name}: say here how its input can be the wrong shape");
                break;
        }
    }

    private sealed class Unknown;

    private static bool IsSize(ParameterInfo p) => p.ParameterType == typeof(int) || p.ParameterType == typeof(int[]);

    /// <summary>A valid argument for a factory parameter, or an <see cref="Unknown"/> for a parameter these tests cannot fill.</summary>
    private static object? Valid(ParameterInfo p) => p.ParameterType switch
    {
        var t when t == typeof(int) => 2,
        var t when t == typeof(long) => 1L,
        var t when t == typeof(bool) => p.HasDefaultValue ? p.DefaultValue : false,
        var t when t == typeof(int[]) && p.Name == "periods" => new[] { 1, 2 },
        var t when t == typeof(int[]) => new[] { 2, 2 },
        var t when t.IsEnum => p.HasDefaultValue ? p.DefaultValue : Enum.GetValues(t).GetValue(0),
        var t when t == typeof(CellInit) => null,
        _ => new Unknown(),
    };

    /// <summary>An array of sizes with one that is not positive.</summary>
    private static int[] Spoiled(ParameterInfo p) => p.Name == "periods" ? [0, 2] : [2, 0];

    private static string Name(MethodInfo m) =>
        $"{m.DeclaringType!.Name.Split('`')[0]}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name))})";

    private static MethodInfo Method(string name) => CreateMethods().Single(m => Name(m) == name);

    /// <summary>Every public static <c>Create</c> of the library's exported types, instantiated for double.</summary>
    private static IEnumerable<MethodInfo> CreateMethods() =>
        typeof(Lstm<>).Assembly.GetExportedTypes()
            .Select(t => t.IsGenericTypeDefinition && t.GetGenericArguments().Length == 1 ? t.MakeGenericType(typeof(double)) : t)
            .Where(t => !t.ContainsGenericParameters)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == "Create"))
            // Factories generic in more than the element type (RecurrentLayers.Create<TState, T>) take a cell factory these tests cannot fill.
            .Where(m => !m.IsGenericMethodDefinition || m.GetGenericArguments().Length == 1)
            .Select(m => m.IsGenericMethodDefinition ? m.MakeGenericMethod(typeof(double)) : m);
}
