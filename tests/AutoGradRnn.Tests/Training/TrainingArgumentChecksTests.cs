namespace AutoGradRnn.Tests;

/// <summary>
/// Every hyperparameter check of the optimizers, schedules and trainer options, at its boundary, with the message that
/// names the value (mutation testing found these checks untested: a dropped check, a moved boundary or an emptied
/// name survived). Also the RMSprop variants whose arithmetic no parity test reached.
/// </summary>
public class TrainingArgumentChecksTests
{
    private static string Refused(Action act, string param)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(act);
        Assert.Equal(param, e.ParamName);
        return e.Message;
    }

    [Fact]
    public void Optimizer_hyperparameters_are_refused_outside_their_range_naming_the_value()
    {
        Assert.Contains("beta1 1 must be in [0, 1)", Refused(() => new Adam<double>(0.1, beta1: 1), "beta1"));
        Assert.Contains("weight decay -1 must be in [0,", Refused(() => new Adam<double>(0.1, weightDecay: -1), "weight decay"));
        Assert.Contains("alpha 1 must be in [0, 1)", Refused(() => new RmsProp<double>(0.1, alpha: 1), "alpha"));
        Assert.Contains("momentum 1 must be in [0, 1)", Refused(() => new RmsProp<double>(0.1, momentum: 1), "momentum"));
        Assert.Contains("weight decay NaN", Refused(() => new RmsProp<double>(0.1, weightDecay: double.NaN), "weight decay"));
        foreach (var eps in new[] { 0, -1e-8, double.PositiveInfinity, double.NaN })
            Assert.Contains("must be a finite number > 0", Refused(() => new RmsProp<double>(0.1, eps: eps), "eps"));
        Assert.Contains("momentum 1 must be in [0, 1)", Refused(() => new Sgd<double>(0.1, momentum: 1), "momentum"));
        Assert.Contains("dampening 1.5 must be in [0, 1]", Refused(() => new Sgd<double>(0.1, dampening: 1.5), "dampening"));
        Assert.Contains("weight decay -0.5", Refused(() => new Sgd<double>(0.1, weightDecay: -0.5), "weight decay"));
        // The inclusive and exclusive ends themselves.
        Assert.Equal(1, new Sgd<double>(0.1, dampening: 1).Dampening);
        Assert.Equal(0, new RmsProp<double>(0.1, alpha: 0).Alpha);
        Assert.Equal(1e-300, new RmsProp<double>(0.1, eps: 1e-300).Eps);
    }

    [Fact]
    public void Schedules_refuse_a_rate_or_length_that_is_not_positive_naming_it()
    {
        Assert.Contains("learning rate 0 must be a finite number > 0", Refused(() => Schedule.StepDecay(0, 10, 0.5), "learning rate"));
        Assert.Contains("step size 0 must be positive", Refused(() => Schedule.StepDecay(0.1, 0, 0.5), "every"));
        Assert.Equal(0.05, Schedule.StepDecay(0.1, 1, 0.5).At(1), 12);
        Assert.Contains("gamma -1", Refused(() => Schedule.StepDecay(0.1, 10, -1), "gamma"));
        Assert.Contains("learning rate NaN", Refused(() => Schedule.Cosine(double.NaN, 10), "learning rate"));
        Assert.Contains("minimum learning rate -0.1 must be in [0, 0.5]", Refused(() => Schedule.Cosine(0.5, 10, -0.1), "minLearningRate"));
        Assert.Contains("minimum learning rate 0.6", Refused(() => Schedule.Cosine(0.5, 10, 0.6), "minLearningRate"));
        Assert.Equal(0.5, Schedule.Cosine(0.5, 10, 0.5).At(3), 12);   // the minimum may equal the rate
        Assert.Equal(0.5, Schedule.Cosine(0.5, 10, 0).At(0), 12);
        Assert.Contains("warm-up steps 0 must be positive", Refused(() => Schedule.WarmUp(0, 0.1), "warmupSteps"));
        Assert.Equal(0.1, Schedule.WarmUp(1, 0.1).At(0), 12);
        Assert.Contains("step -1 is negative", Refused(() => Schedule.Constant(0.1).At(-1), "step"));
    }

    [Fact]
    public void Trainer_options_are_checked_one_by_one_at_their_boundaries()
    {
        Assert.Contains("epochs 0 must be positive", Refused(() => new TrainerOptions { Epochs = 0 }.Validate(), "Epochs"));
        Assert.Contains("max steps -1", Refused(() => new TrainerOptions { MaxSteps = -1 }.Validate(), "MaxSteps"));
        Assert.Contains("clip norm -1", Refused(() => new TrainerOptions { ClipNorm = -1 }.Validate(), "ClipNorm"));
        Assert.Contains("clip norm NaN", Refused(() => new TrainerOptions { ClipNorm = double.NaN }.Validate(), "ClipNorm"));
        Assert.Contains("must be finite and ≥ 0", Refused(() => new TrainerOptions { ClipNorm = double.PositiveInfinity }.Validate(), "ClipNorm"));
        Assert.Contains("patience -1", Refused(() => new TrainerOptions { Patience = -1 }.Validate(), "Patience"));
        Assert.Contains("min delta -0.5", Refused(() => new TrainerOptions { MinDelta = -0.5 }.Validate(), "MinDelta"));
        Assert.Contains("min delta NaN", Refused(() => new TrainerOptions { MinDelta = double.NaN }.Validate(), "MinDelta"));
        new TrainerOptions { Epochs = 1, MaxSteps = 0, ClipNorm = 0, Patience = 0, MinDelta = 0 }.Validate();
    }

    [Fact]
    public void Metrics_refuse_lengths_that_differ_and_a_zero_actual_value_at_index_0()
    {
        Assert.Contains("mae", Assert.ThrowsAny<ArgumentException>(() => Metrics.Mae([1, 2], [1])).Message);
        Assert.Contains("mape", Assert.ThrowsAny<ArgumentException>(() => Metrics.Mape([1, 2], [1])).Message);
        Assert.Contains("index 0 is 0", Assert.Throws<ArgumentException>(() => Metrics.Mape([1, 2], [0, 4])).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => Metrics.Mae([double.NaN], [1])).Message);
    }

    [Fact]
    public void An_interruption_says_where_it_stopped_and_whether_it_saved()
    {
        Assert.Equal("interrupted at step 3 of 10; saved run.resume", new TrainingInterruptedException(3, 10, "run.resume").Message);
        Assert.Equal("interrupted at step 3 of 10; nothing saved (no resume file)", new TrainingInterruptedException(3, 10, "").Message);
    }

    /// <summary>
    /// RMSprop with momentum, centering and weight decay on one weight, two steps, against the update written out by
    /// hand from PyTorch's definition (g ← g + λp; v ← αv + (1−α)g²; ḡ ← αḡ + (1−α)g; a = √(v − ḡ²) + ε; b ← μb + g/a;
    /// p ← p − lr·b). Also the slots each variant keeps, in order.
    /// </summary>
    [Fact]
    public void RmsProp_with_momentum_centering_and_weight_decay_follows_its_definition()
    {
        const double lr = 0.1, alpha = 0.9, eps = 1e-8, mu = 0.5, wd = 0.2;
        var opt = new RmsProp<double>(lr, alpha: alpha, eps: eps, momentum: mu, centered: true, weightDecay: wd);
        var p = Tensor.FromArray([1.5], 1);
        var state = opt.Init(p);
        Assert.Equal(["square_avg", "momentum_buffer", "grad_avg"], state.SlotNames);
        Assert.Equal(["square_avg"], new RmsProp<double>(lr).Init(p).SlotNames);
        Assert.Equal(["square_avg", "grad_avg"], new RmsProp<double>(lr, centered: true).Init(p).SlotNames);
        Assert.Equal(["momentum_buffer"], new Sgd<double>(lr, momentum: 0.9).Init(p).SlotNames);
        Assert.Empty(new Sgd<double>(lr).Init(p).SlotNames);
        Assert.Same(state.Slots[0], state.Slot("square_avg"));
        Assert.Same(state.Slots[2], state.Slot("grad_avg"));
        Assert.Contains("no slot 'nope' (slots: square_avg, momentum_buffer, grad_avg)", Assert.Throws<KeyNotFoundException>(() => state.Slot("nope")).Message);

        double w = 1.5, v = 0, gAvg = 0, b = 0;
        double[] grads = [0.7, -0.3];
        foreach (var raw in grads)
        {
            (p, state) = opt.Update(p, Tensor.FromArray([raw], 1), state);
            double g = raw + wd * w;
            v = alpha * v + (1 - alpha) * g * g;
            gAvg = alpha * gAvg + (1 - alpha) * g;
            double a = Math.Sqrt(v - gAvg * gAvg) + eps;
            b = mu * b + g / a;
            w -= lr * b;
            Assert.Equal(w, p.Data[0], 12);
        }
    }
}
