using System.Globalization;
using System.Numerics;

namespace AutoGradRnn;

/// <summary>
/// The resume file: a <see cref="TrainerState{TParams, TCarry, T}"/> as safetensors (atomic). Tensors are the
/// parameters (<c>params.</c>), optimizer slots (<c>optimizer.{slot}.</c>), best parameters (<c>best.</c>) and carried
/// state (<c>carry.</c>); the rest is metadata, doubles as round-trip strings. The run's identity is saved as
/// <c>run.{name}</c> and compared on loading.
/// </summary>
internal static class TrainerSnapshot
{
    private const string Format = "autogradrnn-resume";
    private const string TrainerKey = "resume.trainer";

    /// <summary>The metadata of an existing resume file, after checking that it is one and that it records <paramref name="identity"/>.</summary>
    public static IReadOnlyDictionary<string, string> Open(string path, IReadOnlyList<KeyValuePair<string, string>> identity)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"resume file '{path}' does not exist, so there is no run to continue; start without resuming", path);
        var meta = SafeTensors.ReadMetadata(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new CheckpointException(path, "not a resume file (its format is not autogradrnn-resume); was a model checkpoint given?");
        foreach (var (name, value) in identity)
        {
            var saved = meta.TryGetValue("run." + name, out var s) ? s : "(not recorded)";
            if (saved != value)
                throw new CheckpointException(path, $"it records {name} = {saved}, but this run has {name} = {value}; resume with the same options and data, or start afresh");
        }
        return meta;
    }

    /// <summary>Whether the file holds a trainer's state (long-memory's file between two configurations does not).</summary>
    public static bool HasTrainerState(IReadOnlyDictionary<string, string> metadata) => metadata.ContainsKey(TrainerKey);

    /// <summary>A resume file with metadata only: the identity and <paramref name="extra"/>, no trainer state.</summary>
    public static void SaveMarker(string path, IEnumerable<KeyValuePair<string, string>> identity, IEnumerable<KeyValuePair<string, string>> extra) =>
        Write(path, Array.Empty<NamedTensor<float>>(), Header(identity, extra));

    private static Dictionary<string, string> Header(IEnumerable<KeyValuePair<string, string>> identity, IEnumerable<KeyValuePair<string, string>> extra)
    {
        var meta = new Dictionary<string, string> { ["format"] = Format, ["resume.version"] = "1" };
        foreach (var (k, v) in identity) meta["run." + k] = v;
        foreach (var (k, v) in extra) meta[k] = v;
        return meta;
    }

    /// <summary>The resume file's folder exists from the first snapshot on (a run's output folder may not, yet).</summary>
    private static void Write<T>(string path, IReadOnlyList<NamedTensor<T>> tensors, Dictionary<string, string> meta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        SafeTensors.Save(path, tensors, meta);
    }

    public static void Save<TParams, TCarry, T>(string path, TrainerState<TParams, TCarry, T> s, IEnumerable<KeyValuePair<string, string>> identity,
        IEnumerable<KeyValuePair<string, string>> extra) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = new List<NamedTensor<T>>();
        var names = ParameterTree<T>.Flatten(s.Parameters!);
        tensors.AddRange(names.Select(n => new NamedTensor<T>("params." + n.Name, n.Value)));
        for (int k = 0; k < s.Optimizer.SlotNames.Count; k++)
            for (int i = 0; i < names.Count; i++)
                tensors.Add(new NamedTensor<T>($"optimizer.{s.Optimizer.SlotNames[k]}.{names[i].Name}", s.Optimizer.Slots[k][i]));
        if (s.BestEpoch >= 0) tensors.AddRange(ParameterTree<T>.Flatten(s.Best!).Select(n => new NamedTensor<T>("best." + n.Name, n.Value)));
        if (s.Position > 0 && s.Carry is not null) tensors.AddRange(ParameterTree<T>.Flatten(s.Carry).Select(n => new NamedTensor<T>("carry." + n.Name, n.Value)));

        var meta = Header(identity, extra);
        meta[TrainerKey] = "1";
        meta["optimizer.step"] = Int(s.Optimizer.Step);
        meta["optimizer.slots"] = string.Join(",", s.Optimizer.SlotNames);
        meta["state.epoch"] = Int(s.Epoch);
        meta["state.position"] = Int(s.Position);
        meta["state.epoch_rng"] = string.Join(",", s.EpochRng.Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));
        meta["state.items"] = Int(s.Items);
        meta["state.epoch_loss"] = Real(s.EpochLoss);
        meta["state.epoch_items"] = Real(s.EpochItems);
        meta["state.best_loss"] = Real(s.BestLoss);
        meta["state.best_epoch"] = Int(s.BestEpoch);
        meta["state.waited"] = Int(s.Waited);
        meta["state.last_validation"] = Real(s.LastValidation);
        meta["state.elapsed_ticks"] = Int(s.Elapsed.Ticks);
        meta["history.losses"] = string.Join(",", s.StepLosses.Select(Real));
        meta["history.norms"] = string.Join(",", s.Norms.Select(Real));
        meta["history.epochs"] = string.Join(";", s.Epochs.Select(e => $"{Int(e.Epoch)}:{Real(e.TrainLoss)}:{Real(e.ValidationLoss)}:{Int(e.Elapsed.Ticks)}"));
        Write(path, tensors, meta);
    }

    /// <summary>Loads a state saved by <see cref="Save"/>; the templates give the trees' structure and shapes.</summary>
    public static TrainerState<TParams, TCarry, T> Load<TParams, TCarry, T>(string path, IReadOnlyList<KeyValuePair<string, string>> identity,
        TParams template, OptimizerState<T> optimizerTemplate, Func<TParams, TCarry> carryTemplate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var meta = Open(path, identity);
        if (!HasTrainerState(meta)) throw new CheckpointException(path, "it holds no trainer state");
        var contents = SafeTensors.Load<T>(path);
        var byName = contents.Tensors.ToDictionary(t => t.Name, t => t.Value);
        string Need(string key) => meta.TryGetValue(key, out var v) ? v : throw new CheckpointException(path, $"the resume file lacks '{key}' in its metadata");
        TTree Tree<TTree>(string prefix, TTree tree) =>
            ParameterTree<T>.Unflatten(tree, ParameterTree<T>.Flatten(tree!).Select(n => Take(path, byName, prefix + n.Name, n.Value.Shape)).ToList());
        try
        {
            var parameters = Tree("params.", template!);
            if (Need("optimizer.slots") != string.Join(",", optimizerTemplate.SlotNames))
                throw new CheckpointException(path, $"the optimizer slots [{meta["optimizer.slots"]}] differ from this optimizer's [{string.Join(",", optimizerTemplate.SlotNames)}]");
            var flat = ParameterTree<T>.Flatten(template!);
            var slots = optimizerTemplate.SlotNames.Select(slot => (IReadOnlyList<Tensor<T>>)flat.Select(n => Take(path, byName, $"optimizer.{slot}.{n.Name}", n.Value.Shape)).ToArray()).ToArray();
            var s = new TrainerState<TParams, TCarry, T>
            {
                Parameters = parameters,
                Optimizer = new OptimizerState<T>(long.Parse(Need("optimizer.step"), CultureInfo.InvariantCulture), optimizerTemplate.SlotNames, slots),
                Best = parameters,
                Epoch = int.Parse(Need("state.epoch"), CultureInfo.InvariantCulture),
                Position = int.Parse(Need("state.position"), CultureInfo.InvariantCulture),
                EpochRng = Need("state.epoch_rng").Split(',').Select(w => ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray(),
                Items = long.Parse(Need("state.items"), CultureInfo.InvariantCulture),
                EpochLoss = ParseReal(Need("state.epoch_loss")),
                EpochItems = ParseReal(Need("state.epoch_items")),
                BestLoss = ParseReal(Need("state.best_loss")),
                BestEpoch = int.Parse(Need("state.best_epoch"), CultureInfo.InvariantCulture),
                Waited = int.Parse(Need("state.waited"), CultureInfo.InvariantCulture),
                LastValidation = ParseReal(Need("state.last_validation")),
                Elapsed = TimeSpan.FromTicks(long.Parse(Need("state.elapsed_ticks"), CultureInfo.InvariantCulture)),
                StepLosses = Reals(Need("history.losses")),
                Norms = Reals(Need("history.norms")),
                Epochs = Need("history.epochs").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split(':')).Select(f =>
                    new EpochSummary(int.Parse(f[0], CultureInfo.InvariantCulture), ParseReal(f[1]), ParseReal(f[2]), TimeSpan.FromTicks(long.Parse(f[3], CultureInfo.InvariantCulture)))).ToList(),
            };
            if (s.BestEpoch >= 0) s.Best = Tree("best.", template!);
            if (s.Position > 0) { var carry = carryTemplate(parameters); if (carry is not null) s.Carry = Tree("carry.", carry); }
            if (s.StepLosses.Count != s.Norms.Count || s.EpochRng.Length != 6)
                throw new CheckpointException(path, "the resume file's histories do not agree with each other");
            return s;
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new CheckpointException(path, $"the resume file's metadata is damaged ({e.Message})");
        }
    }

    private static Tensor<T> Take<T>(string path, Dictionary<string, Tensor<T>> byName, string name, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!byName.TryGetValue(name, out var t)) throw new CheckpointException(path, "the run needs this tensor but the resume file does not have it", name);
        if (t.Shape != shape) throw new CheckpointException(path, $"shape {t.Shape} does not match the run's {shape}", name);
        return t;
    }

    private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Real(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static double ParseReal(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static List<double> Reals(string s) => s.Length == 0 ? [] : s.Split(',').Select(ParseReal).ToList();
}
