using System.Text.Json;

namespace AutoGradRnn.Tests;

/// <summary>Optimizers, schedules and clipping against torch.optim / torch.nn.utils 1.13 (tests/fixtures/torch/optimizers.json).</summary>
public class OptimizerParityTests
{
    private static readonly Lazy<JsonElement> file = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "optimizers.json"))).RootElement.Clone());

    public static TheoryData<string> Cases() => [.. file.Value.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];

    private sealed record Pair(Tensor<double> A, Tensor<double> B);

    private static Pair Read(JsonElement e) => new(Fixture.Read<double>(e, "a"), Fixture.Read<double>(e, "b"));

    private static IOptimizer<double> Create(JsonElement c)
    {
        var h = c.GetProperty("hyper");
        double D(string k) => h.GetProperty(k).GetDouble();
        return c.GetProperty("optimizer").GetString() switch
        {
            "sgd" => new Sgd<double>(D("lr"), D("momentum"), D("dampening"), h.GetProperty("nesterov").GetBoolean(), D("weight_decay")),
            "adam" => new Adam<double>(D("lr"), h.GetProperty("betas")[0].GetDouble(), h.GetProperty("betas")[1].GetDouble(), D("eps"), D("weight_decay")),
            "adamw" => new AdamW<double>(D("lr"), h.GetProperty("betas")[0].GetDouble(), h.GetProperty("betas")[1].GetDouble(), D("eps"), D("weight_decay")),
            "rmsprop" => new RmsProp<double>(D("lr"), D("alpha"), D("eps"), D("momentum"), h.GetProperty("centered").GetBoolean(), D("weight_decay")),
            var o => throw new InvalidOperationException(o),
        };
    }

    [Theory, MemberData(nameof(Cases))]
    public void Six_steps_match_torch_optim(string name)
    {
        var c = file.Value.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var optimizer = Create(c);
        var p = Read(c.GetProperty("params0"));
        var state = optimizer.Init(p);
        var grads = c.GetProperty("grads").EnumerateArray().Select(Read).ToArray();
        var expected = c.GetProperty("params").EnumerateArray().Select(Read).ToArray();
        for (int step = 0; step < grads.Length; step++)
        {
            (p, state) = optimizer.Update(p, grads[step], state);
            TensorAssert.Close(expected[step].A, p.A, 1e-12, 1e-14);
            TensorAssert.Close(expected[step].B, p.B, 1e-12, 1e-14);
        }
        Assert.Equal(grads.Length, state.Step);
    }

    [Fact]
    public void Schedules_match_torch_lr_schedulers()
    {
        foreach (var s in file.Value.GetProperty("schedules").EnumerateArray())
        {
            double lr = s.GetProperty("base_lr").GetDouble();
            var schedule = s.GetProperty("kind").GetString() == "step"
                ? Schedule.StepDecay(lr, s.GetProperty("step_size").GetInt32(), s.GetProperty("gamma").GetDouble())
                : Schedule.Cosine(lr, s.GetProperty("T_max").GetInt32(), s.GetProperty("eta_min").GetDouble());
            var lrs = s.GetProperty("lrs").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (int step = 0; step < lrs.Length; step++) Assert.Equal(lrs[step], schedule.At(step), 1e-15);
        }
    }

    [Fact]
    public void Clipping_matches_torch_and_reports_the_pre_clip_norm()
    {
        foreach (var c in file.Value.GetProperty("clipping").EnumerateArray())
        {
            var grads = Read(c.GetProperty("grads_in"));
            var expected = Read(c.GetProperty("grads_out"));
            double max = c.GetProperty("max").GetDouble();
            var (clipped, norm) = c.GetProperty("kind").GetString() == "norm"
                ? GradientClipping<double>.ByGlobalNorm(grads, max)
                : GradientClipping<double>.ByValue(grads, max);
            TensorAssert.Close(expected.A, clipped.A, 1e-12, 1e-15);
            TensorAssert.Close(expected.B, clipped.B, 1e-12, 1e-15);
            if (c.GetProperty("total_norm").ValueKind == JsonValueKind.Number)
                Assert.Equal(c.GetProperty("total_norm").GetDouble(), norm, 1e-12);
        }
    }

    [Fact]
    public void Warm_up_ramps_linearly_into_the_inner_schedule()
    {
        var s = Schedule.WarmUp(4, Schedule.Constant(0.8));
        double[] expected = [0.2, 0.4, 0.6, 0.8, 0.8];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], s.At(i), 1e-15);
    }

    [Fact]
    public void Bad_hyperparameters_name_their_values()
    {
        Assert.Contains("learning rate 0 must be", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(0.0)).Message);
        Assert.Contains("learning rate -0.1", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<float>(-0.1)).Message);
        Assert.Contains("learning rate NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp<float>(double.NaN)).Message);
        Assert.Contains("momentum 1 must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(0.1, momentum: 1)).Message);
        Assert.Contains("beta2 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(0.1, beta2: 1.5)).Message);
        Assert.Contains("eps 0", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(0.1, eps: 0)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd<double>(0.1, nesterov: true)).Message);
        Assert.Contains("max norm 0", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping<double>.ByGlobalNorm(Tensor.Zeros<double>(1), 0)).Message);
        Assert.Contains("total steps 0", Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cosine(0.1, 0)).Message);
    }

    [Fact]
    public void Optimizer_state_must_match_the_parameters()
    {
        var adam = new Adam<double>(0.1);
        var p = new Pair(Tensor.Zeros<double>(2), Tensor.Zeros<double>(3));
        var sgdState = new Sgd<double>(0.1, momentum: 0.5).Init(p);
        Assert.Contains("does not belong to this optimizer", Assert.Throws<ArgumentException>(() => adam.Update(p, p, sgdState)).Message);
        var wrong = new Pair(Tensor.Zeros<double>(2), Tensor.Zeros<double>(4));
        Assert.Throws<ShapeMismatchException>(() => adam.Update(p, wrong, adam.Init(p)));
    }
}
