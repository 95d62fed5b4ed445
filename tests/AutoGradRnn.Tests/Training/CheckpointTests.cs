using System.Buffers.Binary;
using System.Text;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("autogradrnn-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public class CheckpointTests
{
    private sealed record Model(Lstm<float> Cell, Linear<float> Head, string Note);

    private static Model Make(long seed) => new(Lstm<float>.Create(3, 4, seed), Linear<float>.Create(4, 2, seed + 1), "kept");

    [Fact]
    public void Loaded_contents_print_names_dtypes_shapes_and_metadata_not_clr_type_names()
    {
        using var dir = new TempDir();
        var path = dir.File("small.safetensors");
        SafeTensors.Save(path, [new NamedTensor<float>("cell.Wx", Tensor.Zeros<float>(3, 8)), new NamedTensor<float>("head.b", Tensor.Zeros<float>(2))],
            new Dictionary<string, string> { ["format"] = "pt", ["vocabulary"] = new string('a', 100) });
        var text = SafeTensors.Load<float>(path).ToString();
        Assert.Equal(
            "safetensors: 2 tensors (F32, 26 values), metadata: format = pt, vocabulary = " + new string('a', 59) + "…\n" +
            "  cell.Wx  F32 [3,8]\n" +
            "  head.b   F32 [2]", text);
        Assert.DoesNotContain("System.", text);
    }

    [Fact]
    public void Parameters_and_optimizer_state_round_trip_and_training_resumes_exactly()
    {
        using var dir = new TempDir();
        var x = Tensor.RandomNormal<float>(new Shape(2, 5, 3), 7);
        Tensor<float> Loss(Model m) => Mean(Square(m.Head.Apply(Sequence.Unroll(m.Cell, x).Final.H)));
        var adam = new Adam<float>(0.01);
        var grad = Autodiff.Grad((Model m) => Loss(m));
        var (p, s) = (Make(1), adam.Init(Make(1)));
        for (int i = 0; i < 3; i++) (p, s) = adam.Update(p, grad(p), s);

        var path = dir.File("run.safetensors");
        Checkpoint<float>.Save(path, p, s, new Dictionary<string, string> { ["vocabulary"] = "abc" });
        var (q, t) = Checkpoint<float>.LoadWithOptimizer(path, Make(99), adam);
        Assert.Equal("kept", q.Note);
        Assert.Equal(3, t.Step);
        Assert.Equal(p.Cell.Wf.ToArray(), q.Cell.Wf.ToArray());
        Assert.Equal(s.Slot("exp_avg_sq")[0].ToArray(), t.Slot("exp_avg_sq")[0].ToArray());
        Assert.Equal("abc", Checkpoint<float>.Metadata(path)["vocabulary"]);

        // two more steps from the loaded state == two more steps uninterrupted, bit for bit
        for (int i = 0; i < 2; i++) { (p, s) = adam.Update(p, grad(p), s); (q, t) = adam.Update(q, grad(q), t); }
        Assert.Equal(p.Head.W.ToArray(), q.Head.W.ToArray());
        Assert.Equal(p.Cell.Bo.ToArray(), q.Cell.Bo.ToArray());
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_checkpoint_intact()
    {
        using var dir = new TempDir();
        var path = dir.File("model.safetensors");
        Checkpoint<float>.Save(path, Make(1));
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write(new byte[1000]); throw new InvalidOperationException("crash mid-save"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));           // no temporary file left behind
        Assert.Equal(Make(1).Cell.Wi.ToArray(), Checkpoint<float>.Load(path, Make(2)).Cell.Wi.ToArray());
    }

    [Fact]
    public void Model_mismatches_name_the_file_and_the_tensor()
    {
        using var dir = new TempDir();
        var path = dir.File("m.safetensors");
        Checkpoint<float>.Save(path, Make(1));
        var bigger = new Model(Lstm<float>.Create(3, 5, 1), Linear<float>.Create(5, 2, 1), "");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint<float>.Load(path, bigger));
        Assert.Contains("m.safetensors", e.Message);
        Assert.Equal("Cell.Wf", e.Tensor);
        Assert.Contains("shape [7,4] does not match the model's [8,5]", e.Message);
        var gru = (Cell: Gru<float>.Create(3, 4, 1), Head: Linear<float>.Create(4, 2, 1));
        Assert.Contains("tensor 'Cell.Wf': the file has this tensor but the model", Assert.Throws<CheckpointException>(() => Checkpoint<float>.Load(path, gru)).Message);
        Assert.Contains("dtype F32 does not match the requested F64", Assert.Throws<CheckpointException>(() => Checkpoint<double>.Load(path, Lstm<double>.Create(3, 4, 1))).Message);
        Assert.Contains("no optimizer state", Assert.Throws<CheckpointException>(() => Checkpoint<float>.LoadWithOptimizer(path, Make(1), new Adam<float>(0.1))).Message);
        Assert.Throws<FileNotFoundException>(() => Checkpoint<float>.Load(dir.File("missing.safetensors"), Make(1)));
    }

    /// <summary>Writes a safetensors file by hand: length, header JSON, then <paramref name="dataBytes"/> bytes.</summary>
    private static string Raw(TempDir dir, string header, int dataBytes, long? claimedLength = null)
    {
        var path = dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(claimedLength ?? json.Length));
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "cover 4 bytes but", "data_offsets [0, 8] run past the 4 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlap", "overlap tensor 'a'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12", "holds 8 bytes but F32 [3] needs 12")]
    [InlineData("{\"a\":{\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype", "unknown dtype 'Q9'")]
    [InlineData("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, "not supported", "dtype F16 is valid safetensors but not supported")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative", "shape entry -2 is not a non-negative integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "begin", "are not 0 ≤ begin ≤ end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap", "a gap of 4 bytes")]
    [InlineData("{\"a\": [1,2,3]}", 0, "not an object", "the header entry is not an object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4, "JSON", "not valid UTF-8 JSON")]
    [InlineData("[1]", 0, "object", "the header is not a JSON object")]
    [InlineData("{\"__metadata__\":{\"k\":3}}", 0, "metadata", "metadata value of 'k' is not a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4000000000],\"data_offsets\":[0,4]}}", 4, "huge", "dimension 4000000000 is larger than an array can hold")]
    [InlineData("{\"a\":{\"dtype\":\"F64\",\"shape\":[100000,100000],\"data_offsets\":[0,8]}}", 8, "huge", "has more elements than an array can hold")]
    public void Malformed_files_are_rejected_before_allocation(string header, int dataBytes, string _, string expected)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(Raw(dir, header, dataBytes)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Header_length_lies_are_caught()
    {
        using var dir = new TempDir();
        Assert.Contains("more than the 100000000 allowed", Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(Raw(dir, "{}", 0, claimedLength: 1L << 40))).Message);
        Assert.Contains("only 2 follow the length", Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(Raw(dir, "{}", 0, claimedLength: 500))).Message);
        var tiny = dir.File("tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("3 bytes, fewer than the 8-byte header", Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(tiny)).Message);
        var bad = Raw(dir, "{}", 0);
        var bytes = File.ReadAllBytes(bad);
        bytes[8] = 0xFF;                                     // invalid UTF-8
        File.WriteAllBytes(bad, bytes);
        Assert.Contains("not valid UTF-8 JSON", Assert.Throws<CheckpointException>(() => SafeTensors.Load<float>(bad)).Message);
    }

    [Fact]
    public void Header_is_padded_to_eight_bytes_and_readable_by_the_reference_layout()
    {
        using var dir = new TempDir();
        var path = dir.File("p.safetensors");
        SafeTensors.Save(path, [new NamedTensor<double>("x", Tensor.FromArray([1.5, -2.0]))]);
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        Assert.Equal(8 + n + 16, bytes.Length);
        Assert.Equal(1.5, BitConverter.ToDouble(bytes, (int)(8 + n)));
        Assert.Equal([1.5, -2.0], SafeTensors.Load<double>(path)["x"].ToArray());
    }
}
