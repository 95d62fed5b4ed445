using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// Byte-level fuzzing of the loaders with FsCheck-generated mutations of valid files: flip bytes, truncate, extend
/// with garbage, and splice header fields (numbers and names in the safetensors JSON). Every case must end, within a
/// per-case timeout, either with a result or with one of the documented exception types, and must allocate at most a
/// bound derived from the real file's size. Fixed seeds; AUTOGRADRNN_FUZZ_LONG=1 runs 20× the cases.
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private static readonly int Scale = Environment.GetEnvironmentVariable("AUTOGRADRNN_FUZZ_LONG") == "1" ? 20 : 1;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A [Property] with the fuzz settings: the fixed replay seed, and <c>cases</c> cases (20× with AUTOGRADRNN_FUZZ_LONG=1).</summary>
    private sealed class FuzzPropertyAttribute : PropertyAttribute
    {
        public FuzzPropertyAttribute(int cases)
        {
            MaxTest = cases * Scale;
            Replay = "(20261121,1)";
        }
    }

    /// <summary>Where the mutated files are written: one directory per test (xunit makes one instance per test), removed after its last case.</summary>
    private readonly string dir = Directory.CreateTempSubdirectory("fuzz-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A mutation of a byte array: the kind, where, and the bytes involved.</summary>
    public sealed record Mutation(string Kind, int Position, int Length, byte[] Bytes, long Number)
    {
        public override string ToString() => $"{Kind} at {Position} (length {Length}, number {Number}, {Bytes.Length} bytes)";

        public byte[] Apply(byte[] original)
        {
            int p = original.Length == 0 ? 0 : Math.Abs(Position) % (original.Length + 1);
            switch (Kind)
            {
                case "flip":
                    var flipped = (byte[])original.Clone();
                    for (int i = 0; i < Bytes.Length && p + i < flipped.Length; i++) flipped[p + i] ^= (byte)(Bytes[i] | 1);
                    return flipped;
                case "truncate":
                    return original[..p];
                case "extend":
                    return [.. original, .. Bytes];
                case "insert":
                    return [.. original[..p], .. Bytes, .. original[p..]];
                case "splice-number":
                    // Replace the n-th number in the (JSON) text with an extreme one: offsets, shapes, lengths.
                    var text = Encoding.Latin1.GetString(original);
                    var numbers = System.Text.RegularExpressions.Regex.Matches(text, "-?[0-9]+");
                    if (numbers.Count == 0) return original;
                    var m = numbers[Math.Abs(Position) % numbers.Count];
                    return Encoding.Latin1.GetBytes(text[..m.Index] + Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + text[(m.Index + m.Length)..]);
                case "length-prefix":
                    var withLength = (byte[])original.Clone();
                    if (withLength.Length >= 8) System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(withLength, Number);
                    return withLength;
                default:
                    throw new InvalidOperationException(Kind);
            }
        }
    }

    private static readonly long[] Extremes = [-1, 0, 1, 7, 8, 255, 4096, int.MaxValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, 100_000_001];

    private static Arbitrary<Mutation> Mutations(params string[] kinds) => Arb.From(
        from kind in Gen.Elements(kinds)
        from position in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(1, 64)
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
        from number in Gen.OneOf(Gen.Elements(Extremes), Gen.Choose(-1000, 100_000).Select(i => (long)i))
        select new Mutation(kind, position, length, bytes, number));

    /// <summary>The mutations each loader's property draws from: the kinds that make sense for its format.</summary>
    public static class CheckpointMutations { public static Arbitrary<Mutation> Cases() => Mutations("flip", "truncate", "extend", "insert", "splice-number", "length-prefix"); }

    public static class RawSafetensorsMutations { public static Arbitrary<Mutation> Cases() => Mutations("flip", "splice-number", "length-prefix", "truncate"); }

    public static class CsvMutations { public static Arbitrary<Mutation> Cases() => Mutations("flip", "truncate", "extend", "insert", "splice-number"); }

    public static class TextMutations { public static Arbitrary<Mutation> Cases() => Mutations("flip", "truncate", "extend", "insert"); }

    /// <summary>One case: loads the mutated file, which must end in time, throw only an allowed type and allocate within the bound.</summary>
    private void Fuzz(string name, byte[] original, Mutation mutation, Func<string, object> load, params Type[] allowed)
    {
        var bytes = mutation.Apply(original);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        long allocated = 0;
        Exception? error = null;
        var run = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { load(path); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, TaskCreationOptions.LongRunning);
        if (!run.Wait(CaseTimeout)) throw new TimeoutException($"{name}: {mutation} did not finish within {CaseTimeout.TotalSeconds} s");
        if (error is not null && !allowed.Contains(error.GetType()))
            throw new InvalidOperationException($"{name}: {mutation} threw undocumented {error.GetType().Name}: {error.Message}", error);
        // Loading may hold the file, its decoded text and parsed values a few times over — never more.
        long bound = 64L * bytes.Length + 4_000_000;
        if (allocated > bound) throw new InvalidOperationException($"{name}: {mutation} allocated {allocated:N0} bytes for a {bytes.Length:N0}-byte file (bound {bound:N0})");
    }

    private sealed record Small(Lstm<float> Cell, Linear<float> Head);

    private static byte[] ValidCheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("fuzz-src-").FullName;
        var path = Path.Combine(dir, "m.safetensors");
        var model = new Small(Lstm<float>.Create(3, 4, 1), Linear<float>.Create(4, 2, 2));
        var adam = new Adam<float>(0.1);
        Checkpoint<float>.Save(path, model, adam.Init(model), new Dictionary<string, string> { ["vocabulary"] = "abc" });
        var bytes = File.ReadAllBytes(path);
        Directory.Delete(dir, recursive: true);
        return bytes;
    }

    // The valid files the mutations start from, made or read once.
    private static readonly Lazy<byte[]> CheckpointFile = new(ValidCheckpoint);
    private static readonly Lazy<byte[]> CsvFile = new(() =>
        Encoding.UTF8.GetBytes(string.Concat(File.ReadLines(Path.Combine(Repo.Root, "data", "taylor_electricity_demand_halfhourly.csv")).Take(60).Select(l => l + "\n"))));
    private static readonly Lazy<byte[]> TextFile = new(() => File.ReadAllBytes(Path.Combine(Repo.Root, "data", "moby_dick.txt"))[..4000]);
    private static readonly Small Template = new(Lstm<float>.Create(3, 4, 9), Linear<float>.Create(4, 2, 9));

    [FuzzProperty(2000, Arbitrary = new[] { typeof(CheckpointMutations) })]
    public void Checkpoint_loader_survives_mutated_files(Mutation mutation) =>
        Fuzz("m.safetensors", CheckpointFile.Value, mutation,
            path => Checkpoint<float>.LoadWithOptimizer(path, Template, new Adam<float>(0.1)),
            typeof(CheckpointException));

    [FuzzProperty(1500, Arbitrary = new[] { typeof(RawSafetensorsMutations) })]
    public void Raw_safetensors_reader_survives_mutated_files(Mutation mutation) =>
        Fuzz("raw.safetensors", CheckpointFile.Value, mutation,
            path => SafeTensors.Load<float>(path), typeof(CheckpointException));

    [FuzzProperty(1500, Arbitrary = new[] { typeof(CsvMutations) })]
    public void Csv_loader_survives_mutated_files(Mutation mutation) =>
        Fuzz("s.csv", CsvFile.Value, mutation,
            path =>
            {
                var table = CsvTable.Load(path);
                return (table.Numbers(table.Header[^1]), Forecasting.InferPeriods(table, "", path));
            },
            typeof(DataFormatException));

    [FuzzProperty(1000, Arbitrary = new[] { typeof(TextMutations) })]
    public void Text_loader_survives_mutated_files(Mutation mutation) =>
        Fuzz("t.txt", TextFile.Value, mutation,
            path => CharVocabulary.FromText(TextCorpus.Load(path)),
            typeof(DataFormatException));
}
