namespace AutoGradRnn.Tests;

/// <summary>
/// What a model checkpoint says about itself (its format, the optimizer's step and slots) and how each way of not
/// matching the model or optimizer is named (Stryker survivors: the format stamp, the step parse, the model's type name).
/// </summary>
public class CheckpointMetadataTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private sealed record Model(Linear<double> Head);

    private static Model Make(long seed) => new(Linear<double>.Create(2, 3, seed));

    [Fact]
    public void A_checkpoint_is_stamped_with_its_format_unless_the_caller_gave_one()
    {
        var plain = dir.File("plain.safetensors");
        Checkpoint<double>.Save(plain, Make(1));
        Assert.Equal("autogradrnn", Checkpoint<double>.Metadata(plain)["format"]);

        var withOptimizer = dir.File("adam.safetensors");
        var adam = new Adam<double>(0.1);
        Checkpoint<double>.Save(withOptimizer, Make(1), adam.Init(Make(1)), new Dictionary<string, string> { ["note"] = "n" });
        var meta = Checkpoint<double>.Metadata(withOptimizer);
        Assert.Equal("autogradrnn", meta["format"]);
        Assert.Equal("n", meta["note"]);
        Assert.Equal("0", meta["optimizer.step"]);
        Assert.Equal("exp_avg,exp_avg_sq", meta["optimizer.slots"]);

        var own = dir.File("own.safetensors");
        Checkpoint<double>.Save(own, Make(1), new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal("pt", Checkpoint<double>.Metadata(own)["format"]);
    }

    private string SavedWithAdam(Action<Dictionary<string, string>, List<NamedTensor<double>>>? edit = null)
    {
        var path = dir.File($"{Guid.NewGuid():N}.safetensors");
        var adam = new Adam<double>(0.1);
        Checkpoint<double>.Save(path, Make(1), adam.Init(Make(1)) with { Step = 7 });
        if (edit is not null) SafeTensorsEdit.Apply(path, edit);
        return path;
    }

    private static string Refused(string path, IOptimizer<double> optimizer) =>
        Assert.Throws<CheckpointException>(() => Checkpoint<double>.LoadWithOptimizer(path, Make(2), optimizer)).Message;

    [Fact]
    public void The_optimizer_state_comes_back_with_its_step_or_is_refused_naming_why()
    {
        var (_, state) = Checkpoint<double>.LoadWithOptimizer(SavedWithAdam(), Make(2), new Adam<double>(0.1));
        Assert.Equal(7, state.Step);
        Assert.Equal(["exp_avg", "exp_avg_sq"], state.SlotNames);

        Assert.All(new[] { "x", "-1", "+3", " 7", "" }, step => Assert.EndsWith("it holds no optimizer state (no optimizer.step in the metadata)",
            Refused(SavedWithAdam((m, _) => m["optimizer.step"] = step), new Adam<double>(0.1))));
        Assert.EndsWith("it holds no optimizer state (no optimizer.step in the metadata)", Refused(SavedWithAdam((m, _) => m.Remove("optimizer.step")), new Adam<double>(0.1)));
        Assert.EndsWith("the optimizer slots [exp_avg,exp_avg_sq] differ from this optimizer's [momentum_buffer]", Refused(SavedWithAdam(), new Sgd<double>(0.1, momentum: 0.9)));
        Assert.EndsWith("the optimizer slots [] differ from this optimizer's [exp_avg,exp_avg_sq]", Refused(SavedWithAdam((m, _) => m.Remove("optimizer.slots")), new Adam<double>(0.1)));
        Assert.EndsWith("tensor 'optimizer.exp_avg_sq.Head.B': the model needs this tensor but the file does not have it",
            Refused(SavedWithAdam((_, t) => t.RemoveAll(n => n.Name == "optimizer.exp_avg_sq.Head.B")), new Adam<double>(0.1)));
        Assert.EndsWith("tensor 'optimizer.exp_avg.Head.W': shape [1] does not match the model's [2,3]",
            Refused(SavedWithAdam((_, t) => t[t.FindIndex(n => n.Name == "optimizer.exp_avg.Head.W")] = new NamedTensor<double>("optimizer.exp_avg.Head.W", Tensor.Zeros<double>(1))), new Adam<double>(0.1)));
    }

    [Fact]
    public void A_tensor_the_model_lacks_is_named_with_the_models_readable_type()
    {
        var path = SavedWithAdam((_, t) => t.Add(new NamedTensor<double>("Extra", Tensor.Zeros<double>(1))));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint<double>.Load(path, Make(2)));
        Assert.Equal("Extra", e.Tensor);
        Assert.EndsWith("the file has this tensor but the model (Model) does not; was it saved from another model?", e.Message);
        var generic = Assert.Throws<CheckpointException>(() => Checkpoint<double>.Load(path, (Head: Linear<double>.Create(2, 3, 1), Cell: Lstm<double>.Create(1, 1, 1))));
        Assert.Contains("the model (ValueTuple<Linear<Double>, Lstm<Double>>) does not", generic.Message);
        // Optimizer slots are not model tensors: a checkpoint saved with them loads as parameters alone.
        Assert.Equal(Make(1).Head.W.ToArray(), Checkpoint<double>.Load(SavedWithAdam(), Make(2)).Head.W.ToArray());
    }
}
