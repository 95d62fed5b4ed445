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

    [Theory]
    [InlineData(false), InlineData(true)]
    public void Adam_vector_loop_gives_the_bits_of_the_scalar_formula_at_every_length(bool decoupled)
    {
        // Lengths around the vector width, in float32 and float64: the vector body and the scalar tail must agree exactly.
        foreach (int n in new[] { 1, 7, 8, 9, 16, 17, 31, 64, 67 })
        {
            Check<float>(n, decoupled);
            Check<double>(n, decoupled);
        }

        static void Check<T>(int n, bool decoupled) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var p = Tensor.RandomNormal<T>(new Shape(n), n);
            var g = Tensor.RandomNormal<T>(new Shape(n), n + 100);
            IOptimizer<T> adam = decoupled ? new AdamW<T>(0.01, weightDecay: 0.1) : new Adam<T>(0.01, weightDecay: 0.1);
            var (p1, s1) = adam.Update(p, g, adam.Init(p));
            var (p2, s2) = adam.Update(p1, g * T.CreateTruncating(-0.5), s1);
            var (pr, m, v) = (p.ToArray(), new T[n], new T[n]);
            for (int step = 1; step <= 2; step++)
            {
                var grads = (step == 1 ? g : g * T.CreateTruncating(-0.5)).ToArray();
                T b1 = T.CreateTruncating(0.9), b2 = T.CreateTruncating(0.999), eps = T.CreateTruncating(1e-8), wd = T.CreateTruncating(0.1);
                T stepSize = T.CreateTruncating(0.01 / (1 - Math.Pow(0.9, step))), sqrtBias2 = T.CreateTruncating(Math.Sqrt(1 - Math.Pow(0.999, step)));
                T decay = T.One - T.CreateTruncating(0.01 * 0.1);
                for (int j = 0; j < n; j++)
                {
                    T grad = grads[j];
                    if (decoupled) pr[j] *= decay;
                    else grad += wd * pr[j];
                    m[j] = b1 * m[j] + (T.One - b1) * grad;
                    v[j] = b2 * v[j] + (T.One - b2) * grad * grad;
                    pr[j] -= stepSize * m[j] / (T.Sqrt(v[j]) / sqrtBias2 + eps);
                }
            }
            Assert.Equal(pr, p2.ToArray());
            Assert.Equal(m, s2.Slots[0][0].ToArray());
            Assert.Equal(v, s2.Slots[1][0].ToArray());
        }
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

    /// <summary>Mutation testing (tests/mutation.sh) found these checks untested: a zero, negative, NaN or infinite clip value, and a null tree.</summary>
    [Theory]
    [InlineData(0.0), InlineData(-1.0), InlineData(double.NaN), InlineData(double.PositiveInfinity)]
    public void Clipping_refuses_a_bound_that_is_not_a_finite_positive_number(double bound)
    {
        var g = Tensor.Ones<double>(2);
        var byValue = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping<double>.ByValue(g, bound));
        Assert.Equal("clip", byValue.ParamName);
        Assert.Contains($"clip: value {bound} must be a finite number > 0", byValue.Message);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping<double>.ByGlobalNorm(g, bound)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentNullException>(() => GradientClipping<double>.GlobalNorm<Tensor<double>>(null!)).ParamName);
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
