namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// A full disk, injected through <see cref="AtomicFile.WrapStream"/>: writes to files whose name contains a given text
/// fail after a few bytes with the IOException .NET throws for ENOSPC. Dispose to restore normal writes.
/// </summary>
public sealed class DiskFull : IDisposable
{
    public DiskFull(string fileNameContains, int bytesBeforeFailing = 16) =>
        AtomicFile.WrapStream.Value = s => s is FileStream f && Path.GetFileName(f.Name).Contains(fileNameContains) ? new Failing(s, bytesBeforeFailing) : s;

    public void Dispose() => AtomicFile.WrapStream.Value = null;

    /// <summary>Passes the first bytes through (so a partial temporary file exists), then fails every write.</summary>
    private sealed class Failing(Stream inner, int budget) : Stream
    {
        private int left = budget;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int n = Math.Min(left, buffer.Length);
            inner.Write(buffer[..n]);
            left -= n;
            if (n < buffer.Length) throw new IOException($"No space left on device : '{((FileStream)inner).Name}'");
        }

        public override void WriteByte(byte value) => Write([value]);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
