using System.Buffers.Binary;
using System.Text;

namespace AutoGradRnn;

/// <summary>
/// The protocol-buffers wire format, as much of it as ONNX's <c>ModelProto</c> needs: varints, 32-bit floats and
/// length-delimited fields (strings, bytes, nested messages, packed arrays). A message is written bottom-up: a nested
/// message is finished into its bytes and then written as one length-delimited field of its parent.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    private const int Varint = 0, LengthDelimited = 2, Fixed32 = 5;   // wire types (1, fixed64, is not needed)

    public byte[] ToArray() => buffer.ToArray();

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }

    /// <summary>An int32/int64/enum field (negative values take ten bytes, as protobuf encodes them).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A <c>float</c> field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
        return this;
    }

    /// <summary>A <c>bytes</c> field or an already-encoded nested message.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        buffer.Write(value);
        return this;
    }

    /// <summary>A <c>string</c> field (UTF-8).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message field.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A packed <c>repeated int64</c> field.</summary>
    public ProtoWriter PackedInts(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (var v in values) packed.WriteVarint((ulong)v);
        return Bytes(field, packed.ToArray());
    }

    /// <summary>A packed <c>repeated float</c> field.</summary>
    public ProtoWriter PackedFloats(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return Bytes(field, bytes);
    }
}
