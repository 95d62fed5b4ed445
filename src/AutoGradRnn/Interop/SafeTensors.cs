using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace AutoGradRnn;

/// <summary>Thrown for a checkpoint file that cannot be read as promised: names the file and, where there is one, the tensor.</summary>
public sealed class CheckpointException : IOException
{
    internal CheckpointException(string path, string detail, string tensor = "")
        : base($"checkpoint '{path}'{(tensor.Length > 0 ? $", tensor '{tensor}'" : "")}: {detail}")
    {
        FilePath = path;
        Tensor = tensor;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The offending tensor's name ("" when the problem is the file as a whole).</summary>
    public string Tensor { get; }
}

/// <summary>The contents of a safetensors file: tensors in file order and the free-form string metadata.</summary>
public sealed record SafeTensorsContents<T>(IReadOnlyList<NamedTensor<T>> Tensors, IReadOnlyDictionary<string, string> Metadata)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The tensor named <paramref name="name"/>.</summary>
    public Tensor<T> this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            return Tensors.FirstOrDefault(t => t.Name == name)?.Value ?? throw new KeyNotFoundException($"no tensor '{name}' (has: {string.Join(", ", Tensors.Select(t => t.Name))})");
        }
    }

    /// <summary>
    /// What the file holds, one tensor a line in file order: name, dtype and shape; then the metadata, each value
    /// cut at 60 characters. For example:
    /// <code>
    /// safetensors: 2 tensors (F32, 3,328 values), metadata: format = pt
    ///   cell.Wh  F32 [32,32]
    ///   cell.Wx  F32 [72,32]
    /// </code>
    /// </summary>
    public override string ToString()
    {
        string dtype = SafeTensors.DTypeOf<T>();
        var sb = new StringBuilder();
        sb.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"safetensors: {Tensors.Count} tensor{(Tensors.Count == 1 ? "" : "s")} ({dtype}, {Tensors.Sum(t => (long)t.Value.Count):N0} values)");
        static string Cut(string v) => v.Length <= 60 ? v : v[..59] + "…";
        sb.Append(Metadata.Count == 0 ? ", no metadata" : ", metadata: " + string.Join(", ", Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} = {Cut(m.Value)}")));
        int width = Tensors.Count == 0 ? 0 : Tensors.Max(t => t.Name.Length);
        foreach (var t in Tensors) sb.Append("\n  ").Append(t.Name.PadRight(width)).Append("  ").Append(dtype).Append(' ').Append(t.Value.Shape);
        return sb.ToString();
    }
}

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}</c>, then the raw
/// little-endian data. Reading validates the whole header — length bounded (≤ 100 MB and within the file),
/// JSON well-formed, dtype known, offsets inside the data, sizes equal to dtype × shape, tensors contiguous
/// and non-overlapping — before allocating a single tensor. Writing is atomic: a temporary file in the
/// same folder, flushed to disk, then renamed over the target, so a crash never leaves a torn file.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private sealed record Entry(string Name, string DType, int[] Shape, long Begin, long End);

    /// <summary>Writes <paramref name="tensors"/> (names unique) with optional metadata, atomically.</summary>
    public static void Save<T>(string path, IReadOnlyList<NamedTensor<T>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        string dtype = DTypeOf<T>();
        var dupe = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (dupe is not null) throw new ArgumentException($"safetensors: tensor name '{dupe.Key}' appears {dupe.Count()} times", nameof(tensors));
        if (tensors.Any(t => t.Name == MetadataKey)) throw new ArgumentException($"safetensors: '{MetadataKey}' is reserved", nameof(tensors));
        // The JSON writer would replace half a surrogate pair by U+FFFD: the file would silently hold other text than given.
        var texts = tensors.Select(t => (What: "tensor name", Text: t.Name))
            .Concat((metadata ?? new Dictionary<string, string>()).SelectMany(m => new[] { ("metadata key", m.Key), ($"metadata '{m.Key}'", m.Value) }));
        foreach (var (what, text) in texts)
            if (FirstLoneSurrogate(text) is var at and >= 0)
                throw new ArgumentException($"safetensors: {what} holds half of a surrogate pair (at index {at}), which UTF-8 cannot store", nameof(metadata));

        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            int size = Marshal.SizeOf<T>();
            foreach (var t in tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (var d in t.Value.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += (long)t.Value.Count * size);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        var json = header.ToArray();
        int padded = (json.Length + 7) / 8 * 8;   // the reference writer pads the header with spaces to 8 bytes

        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var t in tensors) stream.Write(LittleEndianBytes(t.Value.AsSpan()));
        });
    }

    /// <summary>Reads and validates a file whose tensors all have <typeparamref name="T"/>'s dtype (F32 for float, F64 for double).</summary>
    public static SafeTensorsContents<T> Load<T>(string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        var (entries, metadata, dataStart) = ReadHeader(path, stream);
        string want = DTypeOf<T>();
        foreach (var e in entries)
            if (e.DType != want) throw new CheckpointException(path, $"dtype {e.DType} does not match the requested {want} ({typeof(T).Name})", e.Name);
        var tensors = new List<NamedTensor<T>>(entries.Count);
        foreach (var e in entries)
        {
            var values = new T[(e.End - e.Begin) / Marshal.SizeOf<T>()];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));   // straight into the values: the data is held once, not twice
            if (!BitConverter.IsLittleEndian) ReverseEach(values);
            tensors.Add(new NamedTensor<T>(e.Name, new Tensor<T>(values, new Shape(e.Shape))));   // the array is ours alone: no copy
        }
        return new SafeTensorsContents<T>(tensors, metadata);
    }

    /// <summary>Only the metadata of a file (its header is validated in full).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        return ReadHeader(path, stream).Metadata;
    }

    /// <summary>The header of a file (validated in full: the same checks as <see cref="Load{T}"/>), without reading any tensor data.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        var (entries, metadata, _) = ReadHeader(path, stream);
        return new SafeTensorsHeader(entries.Select(e => new TensorInfo(e.Name, e.DType, e.Shape)).ToArray(), metadata);
    }

    private static int FirstLoneSurrogate(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return i;
        }
        return -1;
    }

    private static (List<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart) ReadHeader(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new CheckpointException(path, $"the file has {fileLength} bytes, fewer than the 8-byte header length");
        Span<byte> len = stackalloc byte[8];
        stream.ReadExactly(len);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength > MaxHeaderBytes) throw new CheckpointException(path, $"the header claims {headerLength} bytes, more than the {MaxHeaderBytes} allowed");
        if ((long)headerLength > fileLength - 8) throw new CheckpointException(path, $"the header claims {headerLength} bytes but only {fileLength - 8} follow the length");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new CheckpointException(path, $"the header is not valid UTF-8 JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "the header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw new CheckpointException(path, "the name appears twice in the header", prop.Name);
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "__metadata__ must be an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw new CheckpointException(path, $"metadata value of '{m.Name}' is not a string");
                    continue;
                }
                entries.Add(ParseEntry(path, prop, dataLength));
            }
            // Contiguous, non-overlapping, covering the data exactly (what the reference implementation requires).
            long expected = 0;
            Entry? previous = null;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin < expected)
                    throw new CheckpointException(path, $"bytes [{e.Begin}, {e.End}) overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End})", e.Name);
                if (e.Begin > expected) throw new CheckpointException(path, $"a gap of {e.Begin - expected} bytes lies before this tensor's data at {e.Begin}", e.Name);
                expected = e.End;
                previous = e;
            }
            if (expected != dataLength)
                throw new CheckpointException(path, $"the tensors cover {expected} bytes but the data section has {dataLength} (truncated or trailing bytes)");
            return (entries, metadata, dataStart);
        }
    }

    private static Entry ParseEntry(string path, JsonProperty prop, long dataLength)
    {
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, "the header entry is not an object", prop.Name);
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw new CheckpointException(path, "no dtype string", prop.Name);
        string dtype = dt.GetString()!;
        int size = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" or "I8" or "U8" or "I16" or "U16" or "I32" or "U32" or "I64" or "U64" or "BOOL" or "F8_E4M3" or "F8_E5M2" =>
                throw new CheckpointException(path, $"dtype {dtype} is valid safetensors but not supported here (F32, F64)", prop.Name),
            _ => throw new CheckpointException(path, $"unknown dtype '{dtype}'", prop.Name),
        };
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw new CheckpointException(path, "no shape array", prop.Name);
        var shape = new List<int>();
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new CheckpointException(path, $"shape entry {d} is not a non-negative integer", prop.Name);
            if (dim > Array.MaxLength) throw new CheckpointException(path, $"dimension {dim} is larger than an array can hold ({Array.MaxLength})", prop.Name);
            shape.Add((int)dim);
            count *= dim;
            if (count > Array.MaxLength) throw new CheckpointException(path, $"shape [{string.Join(",", shape)}…] has more elements than an array can hold", prop.Name);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new CheckpointException(path, "data_offsets must be [begin, end]", prop.Name);
        var offsets = off.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long x) && x >= 0 ? x : -1).ToArray();
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin < 0 || end < 0 || end < begin) throw new CheckpointException(path, $"data_offsets [{off[0]}, {off[1]}] are not 0 ≤ begin ≤ end", prop.Name);
        if (end > dataLength) throw new CheckpointException(path, $"data_offsets [{begin}, {end}] run past the {dataLength} bytes of data", prop.Name);
        if (end - begin != count * size)
            throw new CheckpointException(path, $"holds {end - begin} bytes but {dtype} [{string.Join(",", shape)}] needs {count * size}", prop.Name);
        return new Entry(prop.Name, dtype, [.. shape], begin, end);
    }

    internal static string DTypeOf<T>() =>
        typeof(T) == typeof(float) ? "F32" : typeof(T) == typeof(double) ? "F64" : throw new NotSupportedException($"safetensors: element type {typeof(T).Name} is not supported (float, double)");

    private static ReadOnlySpan<byte> LittleEndianBytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values);
        var copy = values.ToArray();
        ReverseEach(copy);
        return MemoryMarshal.AsBytes(copy.AsSpan());
    }

    private static void ReverseEach<T>(T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int size = Marshal.SizeOf<T>();
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }
}

/// <summary>Atomic file replacement: write a temporary file beside the target, flush it to disk, rename it over the target.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Test hook: wraps the temporary file's stream, e.g. in one that fails like a full disk. An <see cref="AsyncLocal{T}"/>,
    /// so a test's hook never reaches a test running beside it.
    /// </summary>
    internal static readonly AsyncLocal<Func<Stream, Stream>?> WrapStream = new();

    /// <summary>
    /// Writes through <paramref name="write"/> so that <paramref name="path"/> holds either its old content or the complete
    /// new one, never a mix. A failure of the file system (a full disk, a read-only mount) is an <see cref="IOException"/>
    /// naming <paramref name="path"/>, not the temporary file, and leaves no temporary file behind.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"cannot write '{path}': folder '{dir}' does not exist");
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var stream = WrapStream.Value?.Invoke(file) ?? file;
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);   // rename(2): atomic on the same file system
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } // the original is untouched; best effort on the temporary
            // The system's message names the temporary file: say which file could not be written, and why.
            if (e is UnauthorizedAccessException) throw new IOException($"cannot write '{path}': permission denied", e);
            if (e.GetType() == typeof(IOException)) throw new IOException($"cannot write '{path}': {e.Message.Split(" : '")[0].TrimEnd('.', ' ')}", e);
            throw;
        }
    }
}
