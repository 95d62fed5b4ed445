using AutoGradRnn;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AutoGradRnn.Benchmarks;

/// <summary>Adds GFLOP/s (standard count ÷ mean time) to BenchmarkDotNet's table, for benchmarks that implement <see cref="IFlops"/>.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => "GFLOPs";
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "floating-point operations per second (standard count: 2·m·k·n; LSTM step 2·B·(D+H)·4H, ×3 with backward)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        var instance = (IFlops)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var p in benchmarkCase.Parameters.Items)
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
        double flops = instance.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return (flops / report.ResultStatistics.Mean).ToString("F1");   // mean is in ns: flop/ns = GFLOP/s
    }
}

/// <summary>Benchmarks that know their floating-point operation count.</summary>
public interface IFlops
{
    double Flops(string method);
}

/// <summary>Shared configuration: memory diagnoser (allocated bytes per operation) and the GFLOP/s column.</summary>
public sealed class Config : ManualConfig
{
    public Config()
    {
        AddColumn(new GflopsColumn());
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}

/// <summary>The packed GEMM at the LSTM step shape and the backward shapes, float32.</summary>
[Config(typeof(Config))]
public class GemmBenchmarks : IFlops
{
    [Params("32x321x1024", "32x256x1024", "32x1024x256", "256x2048x1024", "512x512x512")]
    public string Mkn { get; set; } = "32x321x1024";

    [Params(false, true)]
    public bool TransposeB { get; set; }

    private float[] a = [], b = [], c = [];
    private int m, k, n;

    [GlobalSetup]
    public void Setup()
    {
        var d = Mkn.Split('x').Select(int.Parse).ToArray();
        (m, k, n) = (d[0], d[1], d[2]);
        var rng = new Rng(1);
        a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
        b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
        c = new float[m * n];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(a, 0, k, false, b, 0, TransposeB ? k : n, TransposeB, c, 0, n, m, k, n, false, null, threads: 1);

    public double Flops(string method)
    {
        var d = Mkn.Split('x').Select(double.Parse).ToArray();
        return 2 * d[0] * d[1] * d[2];
    }
}

/// <summary>LSTM / GRU (PyTorch's form) / RNN at the shapes, forward and forward+backward, float32.</summary>
[Config(typeof(Config))]
public class CellBenchmarks : IFlops
{
    [Params("lstm", "gru", "rnn")]
    public string Cell { get; set; } = "lstm";

    [Params("32,64,65,128", "32,64,65,256", "64,100,65,512", "64,48,1,64", "32,168,4,32", "1,32,8,16")]
    public string Shape { get; set; } = "32,64,65,256";

    private CellWorkload workload = null!;

    internal RnnShape Parsed
    {
        get
        {
            var d = Shape.Split(',').Select(int.Parse).ToArray();
            return new RnnShape(d[0], d[1], d[2], d[3]);
        }
    }

    [GlobalSetup]
    public void Setup() => workload = new CellWorkload(Cell, Parsed);

    [Benchmark]
    public float Forward() => workload.Run(backward: false);

    [Benchmark]
    public float ForwardBackward() => workload.Run(backward: true);

    public double Flops(string method) => Parsed.Flops(Cell, method == nameof(ForwardBackward));
}

/// <summary>One char-LM training step (embedding → LSTM 256 → linear → cross-entropy → Adam) at (32,64,65,256).</summary>
[Config(typeof(Config))]
public class TrainingBenchmarks : IFlops
{
    private TrainingWorkload workload = null!;

    [GlobalSetup]
    public void Setup() => workload = new TrainingWorkload(new RnnShape(32, 64, 65, 256));

    [Benchmark]
    public float TrainingStep() => workload.Step();

    public double Flops(string method) => new RnnShape(32, 64, 65, 256).Flops("lstm", true);
}
