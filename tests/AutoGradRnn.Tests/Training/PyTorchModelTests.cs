using System.Text.Json;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Whole models exchanged with real PyTorch 1.13 (fixtures of <c>make_model_fixtures.py</c>): 2-layer (bidirectional)
/// nn.LSTM / nn.GRU / nn.RNN with an nn.Linear head, loaded by <see cref="PyTorchModel"/> from torch's safetensors and run
/// to torch's outputs (float32, 1e-5); and ours exported by <see cref="PyTorchModel.ToStateDict{TState, T}(RecurrentLayers{TState, T}, string, string)"/>,
/// loaded by torch with <c>load_state_dict(strict=True)</c>, giving the outputs torch recorded.
/// </summary>
public class PyTorchModelTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch");
    private static JsonElement Json(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, file))).RootElement.Clone();
    private static readonly Lazy<JsonElement> torchModels = new(() => Json("torch_models_io.json").GetProperty("models"));
    private static readonly Lazy<JsonElement> torchOnOurs = new(() => Json("autogradrnn_models_torch_outputs.json").GetProperty("models"));
    private const double Tol = 1e-5;

    public static TheoryData<string> Models() => [.. torchModels.Value.EnumerateObject().Select(p => p.Name)];

    private static IReadOnlyList<NamedTensor<float>> Load(string file) => SafeTensors.Load<float>(Path.Combine(Dir, file)).Tensors;

    /// <summary>The outputs, head outputs and final states (h; and c for an LSTM) in PyTorch's [layers·directions, B, H] form.</summary>
    private sealed record Run(Tensor<float> Output, Tensor<float> Y, Tensor<float> Hn, Tensor<float>? Cn);

    private static Run Lstm(RecurrentLayers<LstmState<float>, float> m, JsonElement io)
    {
        var (h0, c0) = (Fixture.Read<float>(io, "h0"), Fixture.Read<float>(io, "c0"));
        var initial = Enumerable.Range(0, h0.Shape[0]).Select(i => new LstmState<float>(Select(h0, 0, i), Select(c0, 0, i))).ToArray();
        var r = m.Unroll(Fixture.Read<float>(io, "x"), initial);
        return new(r.Outputs, m.Head!.Apply(r.Outputs), Stack([.. r.Final.Select(s => s.H)]), Stack([.. r.Final.Select(s => s.C)]));
    }

    private static Run Rnn(RecurrentLayers<RnnState<float>, float> m, JsonElement io)
    {
        var h0 = Fixture.Read<float>(io, "h0");
        var initial = Enumerable.Range(0, h0.Shape[0]).Select(i => new RnnState<float>(Select(h0, 0, i))).ToArray();
        var r = m.Unroll(Fixture.Read<float>(io, "x"), initial);
        return new(r.Outputs, m.Head!.Apply(r.Outputs), Stack([.. r.Final.Select(s => s.H)]), null);
    }

    /// <summary>Loads a state_dict as the model <paramref name="io"/> describes and runs it on <paramref name="io"/>'s inputs.</summary>
    private static Run LoadAndRun(IReadOnlyList<NamedTensor<float>> dict, JsonElement io, string prefix = "rnn.")
    {
        int layers = io.GetProperty("num_layers").GetInt32();
        bool bi = io.GetProperty("bidirectional").GetBoolean();
        return io.GetProperty("mode").GetString() switch
        {
            "lstm" => Lstm(PyTorchModel.LstmFromStateDict(dict, layers, bi, head: true, prefix: prefix), io),
            "gru" => Rnn(PyTorchModel.GruFromStateDict(dict, layers, bi, head: true, prefix: prefix), io),
            "rnn" => Rnn(PyTorchModel.RnnFromStateDict(dict, layers, bi, head: true, prefix: prefix), io),
            var mode => throw new InvalidOperationException(mode),
        };
    }

    private static void Agree(JsonElement expected, Run actual)
    {
        TensorAssert.Close(Fixture.Read<float>(expected, "output"), actual.Output, Tol, Tol);
        TensorAssert.Close(Fixture.Read<float>(expected, "y"), actual.Y, Tol, Tol);
        TensorAssert.Close(Fixture.Read<float>(expected, "h_n"), actual.Hn, Tol, Tol);
        if (expected.TryGetProperty("c_n", out _)) TensorAssert.Close(Fixture.Read<float>(expected, "c_n"), actual.Cn!, Tol, Tol);
    }

    [Theory, MemberData(nameof(Models))]
    public void A_torch_model_loads_whole_and_reproduces_its_outputs(string name)
    {
        var io = torchModels.Value.GetProperty(name);
        Agree(io, LoadAndRun(Load(io.GetProperty("safetensors").GetString()!), io));
    }

    [Fact]
    public void The_fixtures_hold_the_two_layer_bidirectional_lstm_with_a_head()
    {
        var io = torchModels.Value.GetProperty("lstm_2layer_bidir_head");
        Assert.True(io.GetProperty("bidirectional").GetBoolean());
        var names = io.GetProperty("names").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Equal(18, names.Count);
        Assert.Contains("rnn.weight_ih_l1_reverse", names);
        Assert.Equal(["head.weight", "head.bias"], names[^2..]);
        Assert.Equal(new Shape(16, 8), Load(io.GetProperty("safetensors").GetString()!).Single(t => t.Name == "rnn.weight_ih_l1").Value.Shape);
    }

    /// <summary>A bare nn.LSTM state_dict (no prefix, no head) of the older interop fixture loads with the default prefix.</summary>
    [Fact]
    public void A_bare_module_state_dict_loads_without_prefix_or_head()
    {
        var io = Json("torch_interop_io.json").GetProperty("models").GetProperty("lstm_2layer_bidir");
        var model = PyTorchModel.LstmFromStateDict(Load("torch_lstm_2layer_bidir.safetensors"), numLayers: 2, bidirectional: true);
        Assert.Null(model.Head);
        var (h0, c0) = (Fixture.Read<float>(io, "h0"), Fixture.Read<float>(io, "c0"));
        var r = model.Unroll(Fixture.Read<float>(io, "x"), [.. Enumerable.Range(0, 4).Select(i => new LstmState<float>(Select(h0, 0, i), Select(c0, 0, i)))]);
        TensorAssert.Close(Fixture.Read<float>(io, "output"), r.Outputs, Tol, Tol);
        TensorAssert.Close(Fixture.Read<float>(io, "h_n"), Stack([.. r.Final.Select(s => s.H)]), Tol, Tol);
        TensorAssert.Close(Fixture.Read<float>(io, "c_n"), Stack([.. r.Final.Select(s => s.C)]), Tol, Tol);
        // without a head, Apply is the top layer's outputs (from zero states)
        Assert.Equal(model.Unroll(Fixture.Read<float>(io, "x")).Outputs.ToArray(), model.Apply(Fixture.Read<float>(io, "x")).ToArray());
    }

    /// <summary>The models of make_autogradrnn_model_export.fsx (seeds 2025…), built here the same way.</summary>
    private static (IReadOnlyList<NamedTensor<float>> Dict, Func<JsonElement, Run> Run) Exported(string name) => name switch
    {
        "lstm_2layer_bidir_head" => Export(RecurrentLayers.Create<LstmState<float>, float>(3, 4, 2, true, (d, h, s) => Lstm<float>.Create(d, h, s), 2025, 2), Lstm),
        "gru_2layer_bidir_head" => Export(RecurrentLayers.Create<RnnState<float>, float>(3, 4, 2, true, (d, h, s) => GruResetAfter<float>.Create(d, h, s), 2026, 2), Rnn),
        "rnn_2layer_bidir_head" => Export(RecurrentLayers.Create<RnnState<float>, float>(3, 4, 2, true, (d, h, s) => Rnn<float>.Create(d, h, s), 2027, 2), Rnn),
        "gru_2layer_head" => Export(RecurrentLayers.Create<RnnState<float>, float>(3, 4, 2, false, (d, h, s) => GruResetAfter<float>.Create(d, h, s), 2028, 2), Rnn),
        _ => throw new InvalidOperationException(name),
    };

    private static (IReadOnlyList<NamedTensor<float>>, Func<JsonElement, Run>) Export<TState>(RecurrentLayers<TState, float> m, Func<RecurrentLayers<TState, float>, JsonElement, Run> run) =>
        (PyTorchModel.ToStateDict(m, prefix: "rnn.", headPrefix: "head."), io => run(m, io));

    [Theory, MemberData(nameof(Models))]
    public void Our_export_is_what_the_exporter_writes_and_torch_loads_it_strictly_to_our_outputs(string name)
    {
        var (dict, run) = Exported(name);
        // The committed file is exactly what make_autogradrnn_model_export.fsx's exporter writes today.
        using var dir = new TempDir();
        SafeTensors.Save(dir.File("m.safetensors"), dict, new Dictionary<string, string> { ["source"] = "autogradrnn" });
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, $"autogradrnn_model_{name}.safetensors")), File.ReadAllBytes(dir.File("m.safetensors")));
        // PyTorch's own state_dict names, in PyTorch's order.
        Assert.Equal(torchModels.Value.GetProperty(name).GetProperty("names").EnumerateArray().Select(n => n.GetString()), dict.Select(t => t.Name));
        // torch loaded that file with load_state_dict(strict=True) and ran the inputs of the torch model of this name.
        Agree(torchOnOurs.Value.GetProperty(name), run(torchModels.Value.GetProperty(name)));
    }

    [Theory, MemberData(nameof(Models))]
    public void Load_then_export_then_load_is_the_same_function(string name)
    {
        var io = torchModels.Value.GetProperty(name);
        var first = LoadAndRun(Load(io.GetProperty("safetensors").GetString()!), io);
        var dict = io.GetProperty("mode").GetString() switch
        {
            "lstm" => PyTorchModel.ToStateDict(PyTorchModel.LstmFromStateDict(Load(io.GetProperty("safetensors").GetString()!), 2, io.GetProperty("bidirectional").GetBoolean(), true, "rnn."), "x.", "y."),
            "gru" => PyTorchModel.ToStateDict(PyTorchModel.GruFromStateDict(Load(io.GetProperty("safetensors").GetString()!), 2, io.GetProperty("bidirectional").GetBoolean(), true, "rnn."), "x.", "y."),
            _ => PyTorchModel.ToStateDict(PyTorchModel.RnnFromStateDict(Load(io.GetProperty("safetensors").GetString()!), 2, io.GetProperty("bidirectional").GetBoolean(), true, "rnn."), "x.", "y."),
        };
        var renamed = dict.Select(t => t with { Name = t.Name.StartsWith("x.") ? "rnn." + t.Name[2..] : "head." + t.Name[2..] }).ToList();
        var second = LoadAndRun(renamed, io);
        TensorAssert.Close(first.Y, second.Y, 1e-6, 1e-6);
        TensorAssert.Close(first.Hn, second.Hn, 1e-6, 1e-6);
    }

    [Fact]
    public void Stacked_and_one_layer_bidirectional_compositions_export_as_pytorch_modules()
    {
        var (l0, l1) = (Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 4, 2));
        var stacked = PyTorchModel.ToStateDict(Stacked<LstmState<float>, float>.Of(l0, l1));
        var layers = PyTorchModel.ToStateDict(RecurrentLayers<LstmState<float>, float>.Of([l0, l1]));
        Assert.Equal(layers.Select(t => t.Name), stacked.Select(t => t.Name));
        Assert.All(layers.Zip(stacked), p => Assert.Equal(p.First.Value.ToArray(), p.Second.Value.ToArray()));

        var (f, b) = (Lstm<float>.Create(3, 4, 3), Lstm<float>.Create(3, 4, 4));
        var head = Linear<float>.Create(8, 2, 5);
        var bi = PyTorchModel.ToStateDict(new Bidirectional<LstmState<float>, float>(f, b), head);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "head.weight", "head.bias"],
            bi.Select(t => t.Name));
        Assert.Equal(new Shape(2, 8), bi.Single(t => t.Name == "head.weight").Value.Shape);   // nn.Linear's [out, in]
        // and a one-layer bidirectional RecurrentLayers computes what Bidirectional computes, masks included
        var x = Tensor.RandomNormal<float>(new Shape(2, 5, 3), 6);
        var mask = Sequence.MaskFromLengths<float>([5, 3], 5);
        TensorAssert.Close(new Bidirectional<LstmState<float>, float>(f, b).Unroll(x, mask).Outputs, RecurrentLayers<LstmState<float>, float>.Of([f], [b]).Unroll(x, mask).Outputs, 1e-6, 1e-6);
    }

    [Fact]
    public void Bidirectional_of_stacks_is_refused_naming_the_composition()
    {
        var fwd = Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 4, 2));
        var bwd = Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 3), Lstm<float>.Create(4, 4, 4));
        var e = Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.ToStateDict(new Bidirectional<LstmState<float>[], float>(fwd, bwd)));
        Assert.Equal("pytorch state_dict: Bidirectional(Stacked, Stacked) with 2 forward and 2 backward layers is not PyTorch's bidirectional multi-layer module, " +
            "whose layer l+1 reads both directions of layer l; build it as RecurrentLayers (Stacked-of-Bidirectional)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Cells_without_a_pytorch_module_and_mixed_models_are_refused_by_name()
    {
        Assert.Contains("PeepholeLstm<float> has no counterpart in PyTorch's nn.RNN, nn.LSTM or nn.GRU",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.ToStateDict(PeepholeLstm<float>.Create(3, 4, 1))).Message);
        Assert.Contains("PyTorch's nn.GRU is GruResetAfter", Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.ToStateDict(Gru<float>.Create(3, 4, 1))).Message);
        var mixed = RecurrentLayers<RnnState<float>, float>.Of([GruResetAfter<float>.Create(3, 4, 1), Rnn<float>.Create(4, 4, 2)]);
        Assert.Equal("pytorch state_dict: layer 1 forward is Rnn<float> but layer 0 forward is GruResetAfter<float>: a PyTorch module has one cell kind",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.ToStateDict(mixed)).Message);
        var sizes = RecurrentLayers<LstmState<float>, float>.Of([Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 5, 2)]);
        Assert.Equal("pytorch state_dict: layer 1 forward has hidden size 5 but layer 0 forward has 4: a PyTorch module has one hidden_size",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.ToStateDict(sizes)).Message);
    }

    [Fact]
    public void Loading_is_strict_and_names_the_tensor()
    {
        var dict = Load("torch_model_lstm_2layer_bidir_head.safetensors");
        Assert.Equal("pytorch state_dict: missing 'rnn.weight_ih_l2' (nn.LSTM, 3 layers, bidirectional, head 'head.')",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.LstmFromStateDict(dict, 3, true, head: true, prefix: "rnn.")).Message);
        Assert.Equal("pytorch state_dict: unexpected 'head.weight', 'head.bias' (nn.LSTM, 2 layers, bidirectional)",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.LstmFromStateDict(dict, 2, true, prefix: "rnn.")).Message);
        Assert.Equal("pytorch state_dict: unexpected 'rnn.weight_ih_l0_reverse', 'rnn.weight_hh_l0_reverse', 'rnn.bias_ih_l0_reverse', 'rnn.bias_hh_l0_reverse' and 10 more (nn.LSTM, 1 layer)",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.LstmFromStateDict(dict, 1, false, prefix: "rnn.")).Message);
        // Read as unidirectional, layer 1 would read H features, but this one reads both directions (2H).
        Assert.Equal("pytorch state_dict: 'rnn.weight_ih_l1' is [16,8], expected [16,4] (nn.LSTM, 2 layers, head 'head.')",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.LstmFromStateDict(dict, 2, false, head: true, prefix: "rnn.")).Message);
        Assert.Equal("pytorch state_dict: missing 'weight_hh_l0' (nn.LSTM, 2 layers, bidirectional)",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.LstmFromStateDict(dict, 2, true)).Message);
        // An LSTM's weights read as a GRU: 16 rows are not 3·H for H = 4.
        Assert.Equal("pytorch state_dict: 'rnn.weight_hh_l0' is [16,4], expected [3·H,H] (nn.GRU, 2 layers, bidirectional, head 'head.')",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.GruFromStateDict(dict, 2, true, head: true, prefix: "rnn.")).Message);
        // A unidirectional module read as a bidirectional one.
        var uni = Load("torch_model_gru_2layer_head.safetensors");
        Assert.Equal("pytorch state_dict: missing 'rnn.weight_ih_l0_reverse' (nn.GRU, 2 layers, bidirectional, head 'head.')",
            Assert.Throws<PyTorchLayoutException>(() => PyTorchModel.GruFromStateDict(uni, 2, true, head: true, prefix: "rnn.")).Message);
    }

    [Fact]
    public void Layers_that_do_not_fit_together_are_named()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => RecurrentLayers<LstmState<float>, float>.Of(
            [Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 4, 2)], [Lstm<float>.Create(3, 4, 3), Lstm<float>.Create(8, 4, 4)]));
        Assert.Equal("recurrent layers: layer 1 forward reads 4 features but layer 0 outputs (both directions) 8", e.Message);
        Assert.Equal("recurrent layers: the head reads 4 features but the top layer outputs 8", Assert.Throws<ShapeMismatchException>(() => RecurrentLayers<LstmState<float>, float>.Of(
            [Lstm<float>.Create(3, 4, 1)], [Lstm<float>.Create(3, 4, 3)], Linear<float>.Create(4, 2, 5))).Message);
    }
}
