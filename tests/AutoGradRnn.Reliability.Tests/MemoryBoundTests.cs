using System.Globalization;
using System.Text;

namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// The memory bounds of docs/reliability.md ("Memory bounds"): a child process (the probe) loads and batches a generated
/// ~20 MB input the way the commands do, and reports the managed bytes it still holds after a full collection and its
/// peak working set. Each must stay below k × the file's size + a fixed overhead. The k are the measured ratios with
/// headroom; the code before the bounds (a string per CSV cell, stored batches, two copies of checkpoint data) exceeds
/// every retained bound by far.
/// </summary>
[Collection("processes")]
public class MemoryBoundTests
{
    private const long MB = 1 << 20;
    private const long Size = 20 * MB;

    private static (long Retained, long Allocated, long PeakWorkingSet) Probe(string kind, string path)
    {
        using var child = Repo.StartProbe("memory", kind, path);
        var output = child.StandardOutput.ReadToEnd().Trim();
        var error = child.StandardError.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"probe memory {kind} failed: {error}");
        var n = output.Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (n[0], n[1], n[2]);
    }

    private static void Within(string what, long measured, double k, long fixedBytes, long fileBytes) =>
        Assert.True(measured <= k * fileBytes + fixedBytes,
            $"{what}: {measured / (double)MB:F1} MB for a file of {fileBytes / (double)MB:F1} MB ({measured / (double)fileBytes:F2}×), above the bound {k}× + {fixedBytes / MB} MB");

    [Fact]
    public void A_text_holds_at_most_7_bytes_a_byte_once_encoded_and_batched()
    {
        using var dir = new TempDir();
        var path = dir.File("t.txt");
        var words = "call me ishmael some years ago never mind how long precisely having little or no money in my purse".Split(' ');
        var rng = new Random(1);
        var sb = new StringBuilder();
        while (sb.Length < Size) sb.Append(words[rng.Next(words.Length)]).Append(rng.Next(12) == 0 ? ".\n" : " ");
        File.WriteAllText(path, sb.ToString());
        long file = new FileInfo(path).Length;
        var (retained, _, peak) = Probe("text", path);
        Within("text, held after encoding and batching", retained, 7, 8 * MB, file);   // measured 6.0×: the text (2 bytes a character) and its ids (4)
        Within("text, peak working set", peak, 12, 128 * MB, file);                           // measured 8.1× with the runtime
    }

    [Fact]
    public void A_csv_holds_at_most_4_bytes_a_byte_with_its_time_and_target_columns_converted()
    {
        using var dir = new TempDir();
        var path = dir.File("s.csv");
        var rng = new Random(2);
        var start = new DateTime(2000, 1, 1);
        using (var w = new StreamWriter(path))
        {
            w.Write("time,temp,load\n");
            for (int i = 0; w.BaseStream.Length < Size; i++)
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{start.AddMinutes(30 * i):s},{rng.NextDouble() * 30:F3},{1000 + rng.NextDouble() * 4000:F2}\n"));
        }
        long file = new FileInfo(path).Length;
        var (retained, _, peak) = Probe("csv", path);
        Within("csv, held with the table, timestamps and target", retained, 4, 8 * MB, file);     // measured 2.9×
        Within("csv, peak working set", peak, 10, 128 * MB, file);                                // measured 7.2× with the runtime
    }

    [Fact]
    public void A_checkpoint_is_read_once_into_its_tensors()
    {
        using var dir = new TempDir();
        var path = dir.File("c.safetensors");
        SafeTensors.Save(path, [new NamedTensor<float>("w", Tensor.Fill(0.5f, 1000, (int)(Size / 4 / 1000)))], new Dictionary<string, string> { ["format"] = "autogradrnn" });
        long file = new FileInfo(path).Length;
        var (retained, allocated, peak) = Probe("checkpoint", path);
        Within("checkpoint, held", retained, 1.25, 4 * MB, file);                  // measured 1.0×
        Within("checkpoint, allocated in total", allocated, 1.25, 4 * MB, file);   // measured 1.0×: no byte buffer, no copy
        Within("checkpoint, peak working set", peak, 3, 96 * MB, file);
    }
}
