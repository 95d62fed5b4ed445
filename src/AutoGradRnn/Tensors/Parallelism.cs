namespace AutoGradRnn;

/// <summary>
/// How many threads the library's two parallel kernels may use — a process-wide setting, like OMP_NUM_THREADS, read
/// from the environment variable <c>AUTOGRADRNN_THREADS</c> at start-up (default: the machine's cores):
/// <list type="bullet">
/// <item>a large matrix product uses two threads when this allows more than one, split over output tiles;</item>
/// <item>a fused sequence kernel (<see cref="Sequence"/>'s fast path) with enough work uses up to this many, split over
/// row ranges of the batch, and over output panels for its weight-gradient products.</item>
/// </list>
/// Each tile, range or panel is computed by one thread in a fixed order, so results are bit-identical whatever this
/// is set to (tested). Everything else in the library is single-threaded per call and thread-safe across calls.
/// </summary>
public static class Parallelism
{
    private static int maxThreads = Parse(Environment.GetEnvironmentVariable("AUTOGRADRNN_THREADS"));

    /// <summary>Threads a large product may use (≥ 1).</summary>
    public static int MaxThreads => Volatile.Read(ref maxThreads);

    /// <summary>Sets <see cref="MaxThreads"/> for the process (the CLI's <c>--threads</c>).</summary>
    public static void SetMaxThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"threads {threads} must be ≥ 1");
        Volatile.Write(ref maxThreads, Math.Min(threads, Environment.ProcessorCount * 4));
    }

    private static int Parse(string? value) => int.TryParse(value, out int n) && n >= 1 ? n : Environment.ProcessorCount;
}
