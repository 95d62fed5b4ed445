using System.Diagnostics;
using System.Runtime.Intrinsics;
using AutoGradRnn;
using AutoGradRnn.Benchmarks;
using BenchmarkDotNet.Running;

// Modes:
//   (default)           BenchmarkDotNet: dotnet run -c Release --project bench/AutoGradRnn.Benchmarks -- --filter '*'
//   serve               line protocol for bench/compare-pytorch.sh and compare-onednn.sh: "<lstm|gru|rnn|train> B T D H <fb|f> <budget ms>"
//                       → "<median ms> <allocated bytes per op> <reps> <cpu ms per op> <mean ms>" (times calls until the budget is spent, at least 3
//                       and at most 200 of them); "charlm<L> B T D H fb <budget ms>": train-char's own step (L layers, D ignored: the
//                       text's vocabulary); "dump <lstm|gru|rnn> B T D H <dir>" → "ok" (as the dump mode below)
//   dump cell B T D H dir   input, PyTorch-layout weights and our forward/backward results as raw float32 files (Dump.cs)
//   loop <cell|train|charlm1|charlm2> B T D H SECONDS   forward+backward (or a training step) repeatedly, for a profiler (bench/profile.sh)
//   vocabulary          the one-hot width of the char-LM benchmark (moby_dick.txt's training split)
//   gemm [M K N [thr]]  quick GEMM GFLOP/s in all transpose forms
//   memory [cell B T D H]  saved activations vs peak working set of forward+backward
//   peak [--widths]     the fp32 FMA peak of one core (--widths: Vector512 and Vector256 side by side)
//   versus cell B T D H [rounds]  forward+backward of the fused kernel against the per-step path, interleaved; medians and their ratio
switch (args.FirstOrDefault())
{
    case "serve": Serve(); break;
    case "gemm": QuickGemm(args); break;
    case "memory": Memory(args); break;
    case "vocabulary": Console.WriteLine(CharLmWorkload.Vocabulary); break;
    case "loop": Loop(args); break;
    case "dump" when args.Length == 7:
        Dump.Write(args[1], new RnnShape(int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])), args[6]);
        break;
    case "versus": Versus(args); break;
    case "peak" when args.Length > 1 && args[1] == "--widths":
        Console.WriteLine($"Vector512 {(Vector512.IsHardwareAccelerated ? $"{Peak.Measure(true):F1}" : "n/a")} GFLOP/s; Vector256 {Peak.Measure(false):F1} GFLOP/s");
        break;
    case "peak": Console.WriteLine($"{Peak.Measure():F1}"); break;
    default: BenchmarkSwitcher.FromAssembly(typeof(CellBenchmarks).Assembly).Run(args); break;
}

static double Median(List<double> xs)
{
    xs.Sort();
    return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
}

static void Serve()
{
    Console.Out.Flush();
    var cache = new Dictionary<string, Func<float>>();
    string? line;
    while ((line = Console.ReadLine()) is not null)
    {
        var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (p.Length == 0) continue;
        if (p[0] == "quit") break;
        try
        {
            if (p[0] == "dump")
            {
                Dump.Write(p[1], new RnnShape(int.Parse(p[2]), int.Parse(p[3]), int.Parse(p[4]), int.Parse(p[5])), p[6]);
                Console.WriteLine("ok");
                Console.Out.Flush();
                continue;
            }
            var shape = new RnnShape(int.Parse(p[1]), int.Parse(p[2]), int.Parse(p[3]), int.Parse(p[4]));
            bool backward = p[5] == "fb";
            double budgetMs = double.Parse(p[6]);
            if (p[0].StartsWith("charlm", StringComparison.Ordinal))
            {
                // train-char's step, timed inside its own training run; a first short run warms the JIT and the pools.
                int layers = int.Parse(p[0]["charlm".Length..]);
                string warmKey = string.Join(' ', p[..6]);
                if (cache.TryAdd(warmKey, () => 0)) CharLmWorkload.Measure(layers, shape.B, shape.T, shape.H, 5);
                var (median, mean, reps, cpu) = CharLmWorkload.Measure(layers, shape.B, shape.T, shape.H, Math.Clamp((int)(budgetMs / 60), 5, 40));
                Console.WriteLine($"{median:F4} 0 {reps} {cpu:F2} {mean:F4}");
                Console.Out.Flush();
                continue;
            }
            string key = string.Join(' ', p[..6]);
            if (!cache.TryGetValue(key, out var op))
            {
                if (p[0] == "train")
                {
                    var w = new TrainingWorkload(shape);
                    op = w.Step;
                }
                else
                {
                    var w = new CellWorkload(p[0], shape);
                    op = () => w.Run(backward);
                }
                cache[key] = op;
                // Warm up (JIT tiers, array pools) for at least 5 calls and 1.5 s.
                var warm = Stopwatch.StartNew();
                for (int i = 0; i < 5 || warm.Elapsed.TotalSeconds < 1.5; i++) op();
            }
            var times = new List<double>();
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            var total = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            while (times.Count < 3 || (times.Count < 200 && total.Elapsed.TotalMilliseconds < budgetMs))
            {
                var sw = Stopwatch.StartNew();
                op();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            long alloc = (GC.GetAllocatedBytesForCurrentThread() - alloc0) / times.Count;
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / times.Count;
            Console.WriteLine($"{Median(times):F4} {alloc} {times.Count} {cpuMs:F2} {times.Average():F4}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"error {e.GetType().Name}: {e.Message.Replace('\n', ' ')}");
        }
        Console.Out.Flush();
    }
}

static void Loop(string[] args)
{
    var s = new RnnShape(int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
    double seconds = double.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture);
    if (args[1].StartsWith("charlm", StringComparison.Ordinal))
    {
        int layers = int.Parse(args[1]["charlm".Length..]);
        var watch = Stopwatch.StartNew();
        int n = 0;
        while (watch.Elapsed.TotalSeconds < seconds) n += CharLmWorkload.Measure(layers, s.B, s.T, s.H, 20).Reps;   // the whole run, for a profiler
        Console.WriteLine($"{n} steps");
        return;
    }
    Func<float> op;
    if (args[1] == "train") op = new TrainingWorkload(s).Step;
    else { var w = new CellWorkload(args[1], s); op = () => w.Run(true); }
    var clock = Stopwatch.StartNew();
    int count = 0;
    for (; clock.Elapsed.TotalSeconds < seconds; count++) op();
    Console.WriteLine($"{count} iterations, {clock.Elapsed.TotalMilliseconds / count:F2} ms each");
}

// Fused and composed alternate call by call, so load from other processes on a shared machine hits both alike.
static void Versus(string[] args)
{
    string cell = args[1];
    var s = new RnnShape(int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
    int rounds = args.Length > 6 ? int.Parse(args[6]) : 5;
    var fused = new CellWorkload(cell, s);
    var composed = new CellWorkload(cell, s, composed: true);
    fused.Run(true); composed.Run(true); fused.Run(true); composed.Run(true);   // JIT tiers, array pools
    var (tf, tc) = (new List<double>(), new List<double>());
    for (int r = 0; r < rounds; r++)
    {
        var sw = Stopwatch.StartNew();
        fused.Run(true);
        tf.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        composed.Run(true);
        tc.Add(sw.Elapsed.TotalMilliseconds);
    }
    double f = Median(tf), c = Median(tc);
    Console.WriteLine($"{cell} {s} forward+backward, median of {rounds}: fused {f:F1} ms, composed {c:F1} ms, fused/composed {f / c:F3}");
}

static void QuickGemm(string[] args)
{
    int m = 32, k = 321, n = 1024;
    if (args.Length >= 4) (m, k, n) = (int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
    int threads = args.Length >= 5 ? int.Parse(args[4]) : 1;
    var rng = new Rng(1);
    var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
    var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
    var c = new float[m * n];
    int reps = Math.Max(1, (int)(2e8 / (2.0 * m * k * n)));
    foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
    {
        var times = new List<double>();
        for (int r = 0; r < 40; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) Gemm.Multiply(a, 0, ta ? m : k, ta, b, 0, tb ? k : n, tb, c, 0, n, m, k, n, false, null, threads);
            times.Add(sw.Elapsed.TotalSeconds / reps);
        }
        using var packed = Gemm.PackB(b, 0, tb ? k : n, tb, k, n);
        var timesPacked = new List<double>();
        for (int r = 0; r < 40; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) Gemm.Multiply(a, 0, ta ? m : k, ta, packed, c, 0, n, m, false, threads);
            timesPacked.Add(sw.Elapsed.TotalSeconds / reps);
        }
        Console.WriteLine($"gemm M={m} K={k} N={n} transA={ta} transB={tb} threads={threads}: {2.0 * m * k * n / Median(times) / 1e9:F1} GFLOP/s; B pre-packed: {2.0 * m * k * n / Median(timesPacked) / 1e9:F1} GFLOP/s");
    }
}

static void Memory(string[] args)
{
    string cell = args.Length > 1 ? args[1] : "lstm";
    var s = args.Length > 5 ? new RnnShape(int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])) : new RnnShape(32, 64, 65, 256);
    int g = RnnShape.Gates(cell);
    // JIT-compile every code path on a tiny batch of the same cell, so the measured step adds only its own data.
    new CellWorkload(cell, s with { B = 1, T = 2 }).Run(true);
    var w = new CellWorkload(cell, s);
    System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(2, GCCollectionMode.Forced, true, true);
    GC.WaitForPendingFinalizers();
    var proc = Process.GetCurrentProcess();
    bool reset = TryResetPeak();
    proc.Refresh();
    long baseline = proc.WorkingSet64;
    long alloc0 = GC.GetAllocatedBytesForCurrentThread();
    w.Run(true);
    long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
    proc.Refresh();
    long peak = proc.PeakWorkingSet64;
    // What backward truly needs, per (b, t): the gate activations (G·H) and the state h_t (H), plus C_t (H) for the
    // LSTM and the saved n-block product (H) for the GRU.
    // The layer-norm LSTM's kernel saves 14·H + 3 values per (b, t) (its gates, both normalised products and C's, three
    // reciprocal deviations) besides C_t and h_t.
    long saved = 4L * s.B * s.T * (cell == "lnlstm" ? 16 * s.H + 3 : g * s.H + s.H + (cell is "lstm" or "gru" or "peephole" ? s.H : 0));
    long parameters = 4L * ((s.D + s.H) * g * s.H + g * s.H);
    Console.WriteLine($"{cell} {s} float32 forward+backward: parameters {parameters / 1e6:F2} MB; saved activations {saved / 1e6:F2} MB; " +
        $"allocated {alloc / 1e6:F2} MB; peak working set above the idle process {(reset ? $"{(peak - baseline) / 1e6:F2} MB ({(double)(peak - baseline) / saved:F2}× the saved activations)" : "n/a (cannot reset the peak)")}");
}

// Linux: writing 5 to /proc/self/clear_refs resets the peak resident set size (VmHWM).
static bool TryResetPeak()
{
    try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
    catch (Exception) { return false; }
}
