using System.Text.Json;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Weights exchanged with real PyTorch 1.13 through safetensors: torch's exported nn.LSTM / nn.GRU / 2-layer
/// bidirectional nn.LSTM reproduced from their files (float32, 1e-5); and our exported LSTM, loaded by torch,
/// gives the outputs torch recorded.
/// </summary>
public class PyTorchInteropTests
{
    private static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch");
    private static readonly Lazy<JsonElement> io = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "torch_interop_io.json"))).RootElement.Clone());
    private static JsonElement Model(string name) => io.Value.GetProperty("models").GetProperty(name);

    /// <summary>Row <paramref name="index"/> of PyTorch's [layers·directions, B, H] state tensor.</summary>
    private static Tensor<float> StateRow(Tensor<float> states, int index) => Select(states, 0, index);

    private const double Tol = 1e-5;

    [Fact]
    public void Torch_lstm_loads_and_reproduces_its_outputs()
    {
        var m = Model("lstm");
        var lstm = PyTorchWeights.ToLstm(PyTorchRnnWeights<float>.FromStateDict(SafeTensors.Load<float>(Path.Combine(Dir, "torch_lstm.safetensors")).Tensors));
        var h0 = Fixture.Read<float>(m, "h0");
        var c0 = Fixture.Read<float>(m, "c0");
        var r = Sequence.Unroll(lstm, Fixture.Read<float>(m, "x"), new LstmState<float>(StateRow(h0, 0), StateRow(c0, 0)));
        TensorAssert.Close(Fixture.Read<float>(m, "output"), r.Outputs, Tol, Tol);
        TensorAssert.Close(StateRow(Fixture.Read<float>(m, "c_n"), 0), r.Final.C, Tol, Tol);
    }

    [Fact]
    public void Torch_gru_loads_and_reproduces_its_outputs()
    {
        var m = Model("gru");
        var gru = PyTorchWeights.ToGru(PyTorchRnnWeights<float>.FromStateDict(SafeTensors.Load<float>(Path.Combine(Dir, "torch_gru.safetensors")).Tensors));
        var r = Sequence.Unroll(gru, Fixture.Read<float>(m, "x"), new RnnState<float>(StateRow(Fixture.Read<float>(m, "h0"), 0)));
        TensorAssert.Close(Fixture.Read<float>(m, "output"), r.Outputs, Tol, Tol);
    }

    [Fact]
    public void Torch_two_layer_bidirectional_lstm_loads_and_reproduces_its_outputs()
    {
        var m = Model("lstm_2layer_bidir");
        var dict = SafeTensors.Load<float>(Path.Combine(Dir, "torch_lstm_2layer_bidir.safetensors")).Tensors;
        var (h0, c0) = (Fixture.Read<float>(m, "h0"), Fixture.Read<float>(m, "c0"));
        var x = Fixture.Read<float>(m, "x");
        var mask = Tensor.Ones<float>(x.Shape[0], x.Shape[1]);
        var hn = new List<Tensor<float>>();
        for (int layer = 0; layer < 2; layer++)
        {
            var net = new Bidirectional<LstmState<float>, float>(
                PyTorchWeights.ToLstm(PyTorchRnnWeights<float>.FromStateDict(dict, layer)),
                PyTorchWeights.ToLstm(PyTorchRnnWeights<float>.FromStateDict(dict, layer, reverse: true)));
            var r = net.Unroll(x,
                new LstmState<float>(StateRow(h0, 2 * layer), StateRow(c0, 2 * layer)),
                new LstmState<float>(StateRow(h0, 2 * layer + 1), StateRow(c0, 2 * layer + 1)), mask);
            hn.AddRange([r.ForwardFinal.H, r.BackwardFinal.H]);
            x = r.Outputs;                                   // layer 2 reads both directions of layer 1
        }
        TensorAssert.Close(Fixture.Read<float>(m, "output"), x, Tol, Tol);
        TensorAssert.Close(Fixture.Read<float>(m, "h_n"), Stack([.. hn]), Tol, Tol);
    }

    [Fact]
    public void Our_export_is_what_the_exporter_writes_and_torch_computes_our_outputs_from_it()
    {
        // The committed file is exactly what make_autogradrnn_export.fsx's exporter writes today.
        var lstm = Lstm<float>.Create(inputSize: 3, hiddenSize: 4, seed: 2024);
        using var dir = new TempDir();
        var path = dir.File("export.safetensors");
        SafeTensors.Save(path, PyTorchWeights.FromLstm(lstm).ToStateDict(), new Dictionary<string, string> { ["source"] = "autogradrnn" });
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, "autogradrnn_lstm.safetensors")), File.ReadAllBytes(path));

        // torch.nn.LSTM loaded that file (strict state_dict) and ran the "lstm" inputs: same outputs as ours.
        var m = Model("lstm");
        var torch = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "autogradrnn_lstm_torch_outputs.json"))).RootElement;
        var r = Sequence.Unroll(lstm, Fixture.Read<float>(m, "x"), new LstmState<float>(StateRow(Fixture.Read<float>(m, "h0"), 0), StateRow(Fixture.Read<float>(m, "c0"), 0)));
        TensorAssert.Close(Fixture.Read<float>(torch, "output"), r.Outputs, Tol, Tol);
        TensorAssert.Close(StateRow(Fixture.Read<float>(torch, "c_n"), 0), r.Final.C, Tol, Tol);
    }

    [Fact]
    public void A_missing_state_dict_entry_is_named()
    {
        var dict = SafeTensors.Load<float>(Path.Combine(Dir, "torch_lstm.safetensors")).Tensors;
        var e = Assert.Throws<KeyNotFoundException>(() => PyTorchRnnWeights<float>.FromStateDict(dict, layer: 1));
        Assert.Contains("weight_ih_l1", e.Message);
    }
}
