using System.Numerics;
using System.Text.Json;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="ProjectionLstm{T}"/> against real PyTorch 1.13 <c>nn.LSTM(…, proj_size=P, batch_first=True)</c>, from
/// <c>tests/fixtures/torch/lstm_proj.json</c> written by <c>make_projection_fixtures.py</c>. The weights enter in
/// PyTorch's layout (with <c>weight_hr_l{k}</c>) and go through <see cref="PyTorchWeights.ToProjectionLstm{T}"/>, so the
/// gradients come out in PyTorch's layout too. Two-layer cases run as a <see cref="Stacked{TState, T}"/>.
/// </summary>
public class ProjectionParityTests
{
    public static TheoryData<string> Cases() => [.. ProjectionFixture.Cases.Select(c => c.GetProperty("name").GetString()!)];

    [Theory, MemberData(nameof(Cases))]
    public void Matches_pytorch_lstm_with_proj_size(string name)
    {
        var c = ProjectionFixture.Cases.Single(x => x.GetProperty("name").GetString() == name);
        if (c.GetProperty("dtype").GetString() == "float64") Run<double>(c, rtol: 1e-10, atol: 1e-12);
        else Run<float>(c, rtol: 1e-5, atol: 1e-5);
    }

    private sealed record Inputs<T>(PyTorchProjectionLstmWeights<T>[] W, Tensor<T> X, Tensor<T> H0, Tensor<T> C0) where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Run<T>(JsonElement c, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int layers = c.GetProperty("layers").GetInt32();
        var p = c.GetProperty("params");
        var stateDict = p.EnumerateObject().Select(e => new NamedTensor<T>(e.Name, Fixture.Read<T>(p, e.Name))).ToList();
        var inputs = new Inputs<T>(
            [.. Enumerable.Range(0, layers).Select(k => PyTorchProjectionLstmWeights<T>.FromStateDict(stateDict, k))],
            Fixture.Read<T>(c, "x"), Fixture.Read<T>(c, "h0"), Fixture.Read<T>(c, "c0"));
        Tensor<T> Layer(Tensor<T> s, int k) => layers == 1 ? s : Select(s, 0, k);          // [B,·] or [L,B,·]
        Tensor<T> Layers(Tensor<T>[] s) => layers == 1 ? s[0] : Stack(s, 0);

        (Tensor<T> Outputs, Tensor<T> H, Tensor<T> C) Forward(Inputs<T> q)
        {
            var net = Stacked<LstmState<T>, T>.Of([.. q.W.Select(w => PyTorchWeights.ToProjectionLstm(w))]);
            var r = Sequence.Unroll(net, q.X, [.. Enumerable.Range(0, layers).Select(k => new LstmState<T>(Layer(q.H0, k), Layer(q.C0, k)))]);
            return (r.Outputs, Layers([.. r.Final.Select(s => s.H)]), Layers([.. r.Final.Select(s => s.C)]));
        }

        var (outputs, hn, cn) = Forward(inputs);
        TensorAssert.Close(Fixture.Read<T>(c, "output"), outputs, rtol, atol);
        TensorAssert.Close(Fixture.Read<T>(c, "h_n"), hn, rtol, atol);
        TensorAssert.Close(Fixture.Read<T>(c, "c_n"), cn, rtol, atol);

        var (value, g) = Autodiff.ValueAndGrad((Inputs<T> q) =>
        {
            var (o, h, cs) = Forward(q);
            return Sum(o * Fixture.Read<T>(c, "r_out")) + Sum(h * Fixture.Read<T>(c, "r_h")) + Sum(cs * Fixture.Read<T>(c, "r_c"));
        })(inputs);
        double loss = c.GetProperty("loss").GetDouble();
        Assert.Equal(loss, double.CreateTruncating(value.ToScalar()), rtol * 10 * Math.Max(1, Math.Abs(loss)));
        var grads = c.GetProperty("grads");
        for (int k = 0; k < layers; k++)
            foreach (var named in g.W[k].ToStateDict(k))
                TensorAssert.Close(Fixture.Read<T>(grads, named.Name), named.Value, rtol, atol);
        TensorAssert.Close(Fixture.Read<T>(grads, "x"), g.X, rtol, atol);
        TensorAssert.Close(Fixture.Read<T>(grads, "h0"), g.H0, rtol, atol);
        TensorAssert.Close(Fixture.Read<T>(grads, "c0"), g.C0, rtol, atol);
    }

    [Fact]
    public void The_fixture_file_has_both_precisions_and_a_two_layer_case()
    {
        Assert.Equal(["float32", "float64"], ProjectionFixture.Cases.Select(c => c.GetProperty("dtype").GetString()).Distinct().Order());
        Assert.Contains(ProjectionFixture.Cases, c => c.GetProperty("layers").GetInt32() == 2);
        Assert.All(ProjectionFixture.Cases, c => Assert.True(c.GetProperty("proj").GetInt32() < c.GetProperty("hidden").GetInt32()));
    }
}

internal static class ProjectionFixture
{
    private static readonly Lazy<JsonElement[]> cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "lstm_proj.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static JsonElement[] Cases => cases.Value;
}
