using System.Collections.Concurrent;
using System.Numerics;
using System.Reflection;

namespace AutoGradRnn;

/// <summary>Checks shared by the cells, so that one kind of mistake gets one exception type and a message naming the cell and the shapes.</summary>
internal static class CellChecks
{
    /// <summary>
    /// The check before every step of a cell: <paramref name="input"/> must be <c>[B, D]</c> with B ≥ 1, and every leaf of
    /// <paramref name="state"/> must have the shape of the same leaf of the cell's zero state for B.
    /// </summary>
    public static void Step<TState, T>(string cell, IRecurrentCell<TState, T> self, TState state, Tensor<T> input)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Parameters<T>(Sequence.CellName(self), self);   // named as the unroll names it, so both report a null parameter alike
        ArgumentNullException.ThrowIfNull(state);
        Input(cell, input, self.InputSize);
        State<T>(cell, state, self.InitialState(input.Shape[0])!, input.Shape);
    }

    /// <summary>
    /// A cell record built with <c>new</c> or <c>with</c> may hold a null parameter (<c>lstm with { Wf = null }</c>): name
    /// it, with its path, instead of failing later on a null reference (its sizes are read from its weights).
    /// Parameters declared nullable are optional and pass.
    /// </summary>
    public static void Parameters<T>(string cell, object self) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (FirstNull<T>(self, "") is { } path) throw new ArgumentNullException(path, $"{cell}: parameter {path} is null");
    }

    // Per library record type: its public properties that must not be null.
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> required = new();

    private static string? FirstNull<T>(object node, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (node is Tensor<T>) return null;
        if (node is Array array)
        {
            for (int i = 0; i < array.Length; i++)
                if ((array.GetValue(i) is { } item ? FirstNull<T>(item, $"{path}[{i}]") : $"{path}[{i}]") is { } found) return found;
            return null;
        }
        var type = node.GetType();
        if (type.Assembly != typeof(CellChecks).Assembly || type.GetMethod("<Clone>$") is null) return null;   // only the library's own records
        foreach (var p in required.GetOrAdd(type, Required))
        {
            var name = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
            if ((p.GetValue(node) is { } value ? FirstNull<T>(value, name) : name) is { } found) return found;
        }
        return null;
    }

    private static PropertyInfo[] Required(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p =>
            p.GetIndexParameters().Length == 0 && p.SetMethod is { IsPublic: true } && !p.PropertyType.IsValueType &&
            nullability.Create(p).ReadState != NullabilityState.Nullable)];
    }

    /// <summary>A step input must be <c>[B, inputSize]</c> with B ≥ 1.</summary>
    public static void Input<T>(string cell, Tensor<T> input, int inputSize) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != inputSize)
            throw new ShapeMismatchException($"{cell} step", $"input must be [batch, {inputSize}]", input.Shape);
        if (input.Shape[0] == 0) throw new ShapeMismatchException($"{cell} step", "the batch is empty", input.Shape);
    }

    /// <summary>
    /// Every leaf of <paramref name="state"/> must have the shape of the same leaf (by path: <c>H</c>, <c>C</c>,
    /// <c>[1].C</c>, <c>Time[0].H</c>) of <paramref name="zero"/>, the cell's zero state for the input's batch. Comparing
    /// with the zero state covers every leaf of every cell, so no leaf (a C beside an h) can go unchecked and be broadcast.
    /// </summary>
    public static void State<T>(string cell, object state, object zero, Shape input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        var expected = ParameterTree<T>.Flatten(zero);
        var actual = ParameterTree<T>.Flatten(state);
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, shape) = (expected[i].Name, expected[i].Value.Shape);
            var leaf = i < actual.Count && actual[i].Name == name ? actual[i] : actual.FirstOrDefault(a => a.Name == name);
            if (leaf is null)
                throw new ShapeMismatchException($"{cell} step", $"state {name} is missing; it must be {shape} for this input", input);
            if (leaf.Value.Shape != shape)
                throw new ShapeMismatchException($"{cell} step", $"state {name} must be {shape} for this input", input, leaf.Value.Shape);
        }
        if (actual.Count != expected.Count)
        {
            var extra = actual.First(a => expected.All(e => e.Name != a.Name));
            throw new ShapeMismatchException($"{cell} step", $"state {extra.Name} is not part of this cell's state ({string.Join(", ", expected.Select(e => e.Name))})", input, extra.Value.Shape);
        }
    }

    /// <summary>A state of several layers must have one entry per layer.</summary>
    public static void Layers(string op, int given, int layers, params Shape[] input)
    {
        if (given != layers) throw new ShapeMismatchException(op, $"{given} layer states given for {layers} layers", input);
    }

    /// <summary>A memory (cell state) must be <c>[batch, size]</c> for the batch of the input.</summary>
    public static void Memory<T>(string cell, Tensor<T> memory, int batch, int size) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (memory.Shape != new Shape(batch, size))
            throw new ShapeMismatchException($"{cell} step", $"the cell state must be [{batch}, {size}]", memory.Shape);
    }

    /// <summary>A count (layers, modules) must be at least one.</summary>
    public static void Count(string cell, string what, int count, string paramName)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(paramName, $"{cell}: {count} {what}; at least 1 is needed");
    }

    /// <summary>A parameter must have exactly the expected shape.</summary>
    public static void Weight<T>(string cell, string name, Tensor<T> w, params int[] expected) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(w, name);
        if (w.Shape != new Shape(expected))
            throw new ShapeMismatchException(cell, $"parameter {name} must be {new Shape(expected)}", w.Shape);
    }

    /// <summary>Input and hidden sizes must be positive.</summary>
    public static void Sizes(string cell, int inputSize, int hiddenSize)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"{cell}: input size {inputSize} must be positive");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"{cell}: hidden size {hiddenSize} must be positive");
    }

    /// <summary>A batch size must be positive.</summary>
    public static void Batch(string cell, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"{cell}: batch size {batchSize} must be positive");
    }
}
