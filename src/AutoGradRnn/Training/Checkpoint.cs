using System.Globalization;
using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// Saves and loads any parameter tree (and optionally an optimizer's state) as safetensors, atomically.
/// Parameter tensors are named by their tree paths (<c>Wf</c>, <c>Layers[0].Wf</c>); optimizer slots as
/// <c>optimizer.{slot}.{path}</c>, with the step count in the metadata. Loading checks the file against a
/// template tree: every name present, no extra ones, every shape equal — each violation a
/// <see cref="CheckpointException"/> naming the file and the tensor.
/// </summary>
public static class Checkpoint<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const string StepKey = "optimizer.step";
    private const string SlotsKey = "optimizer.slots";

    /// <summary>Saves the parameters with optional string metadata (e.g. a vocabulary).</summary>
    public static void Save<TParams>(string path, TParams parameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        SafeTensors.Save(path, ParameterTree<T>.Flatten(parameters), WithFormat(metadata));
    }

    /// <summary>Saves the parameters and the optimizer state.</summary>
    public static void Save<TParams>(string path, TParams parameters, OptimizerState<T> optimizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        var named = ParameterTree<T>.Flatten(parameters);
        var all = named.ToList();
        for (int k = 0; k < optimizer.SlotNames.Count; k++)
            for (int i = 0; i < named.Count; i++)
                all.Add(new NamedTensor<T>($"optimizer.{optimizer.SlotNames[k]}.{named[i].Name}", optimizer.Slots[k][i]));
        var meta = WithFormat(metadata);
        meta[StepKey] = optimizer.Step.ToString(CultureInfo.InvariantCulture);
        meta[SlotsKey] = string.Join(",", optimizer.SlotNames);
        SafeTensors.Save(path, all, meta);
    }

    /// <summary>Loads parameters shaped like <paramref name="template"/> (which supplies the structure and the non-tensor fields).</summary>
    public static TParams Load<TParams>(string path, TParams template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Parameters(path, SafeTensors.Load<T>(path), template);
    }

    /// <summary>Loads parameters and the state of <paramref name="optimizer"/> saved with them.</summary>
    public static (TParams Parameters, OptimizerState<T> Optimizer) LoadWithOptimizer<TParams>(string path, TParams template, IOptimizer<T> optimizer)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(optimizer);
        var contents = SafeTensors.Load<T>(path);
        var parameters = Parameters(path, contents, template);
        if (!contents.Metadata.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            throw new CheckpointException(path, "it holds no optimizer state (no optimizer.step in the metadata)");
        var fresh = optimizer.Init(template);
        var saved = contents.Metadata.TryGetValue(SlotsKey, out var s) ? s : "";
        if (saved != string.Join(",", fresh.SlotNames))
            throw new CheckpointException(path, $"the optimizer slots [{saved}] differ from this optimizer's [{string.Join(",", fresh.SlotNames)}]");
        var byName = contents.Tensors.ToDictionary(t => t.Name, t => t.Value);
        var names = ParameterTree<T>.Flatten(template);
        var slots = fresh.SlotNames.Select(slot => (IReadOnlyList<Tensor<T>>)names.Select(n => Take(path, byName, $"optimizer.{slot}.{n.Name}", n.Value.Shape)).ToArray()).ToArray();
        return (parameters, new OptimizerState<T>(step, fresh.SlotNames, slots));
    }

    private static TParams Parameters<TParams>(string path, SafeTensorsContents<T> contents, TParams template)
    {
        var byName = contents.Tensors.ToDictionary(t => t.Name, t => t.Value);
        var expected = ParameterTree<T>.Flatten(template!);
        var extra = byName.Keys.Where(k => !k.StartsWith("optimizer.", StringComparison.Ordinal)).Except(expected.Select(e => e.Name)).FirstOrDefault();
        if (extra is not null) throw new CheckpointException(path, $"the file has this tensor but the model ({TypeName(typeof(TParams))}) does not; was it saved from another model?", extra);
        return ParameterTree<T>.Unflatten(template, expected.Select(e => Take(path, byName, e.Name, e.Value.Shape)).ToList());
    }

    /// <summary>The string metadata saved with a checkpoint.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(string path) => SafeTensors.ReadMetadata(path);

    private static Tensor<T> Take(string path, Dictionary<string, Tensor<T>> byName, string name, Shape shape)
    {
        if (!byName.TryGetValue(name, out var t)) throw new CheckpointException(path, "the model needs this tensor but the file does not have it", name);
        if (t.Shape != shape) throw new CheckpointException(path, $"shape {t.Shape} does not match the model's {shape}", name);
        return t;
    }

    /// <summary>A readable type name: <c>Lstm&lt;Single&gt;</c> rather than <c>Lstm`1</c>.</summary>
    private static string TypeName(Type t) =>
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>" : t.Name;

    private static Dictionary<string, string> WithFormat(IReadOnlyDictionary<string, string>? metadata)
    {
        var meta = metadata?.ToDictionary(k => k.Key, k => k.Value) ?? [];
        meta.TryAdd("format", "autogradrnn");
        return meta;
    }
}
