using System.Numerics;
using System.Text.Json;
using static AutoGradRnn.Ops;

namespace AutoGradRnn.Tests;

/// <summary>
/// Forward values and gradients against real PyTorch 1.13 (<c>nn.RNN</c>, <c>nn.LSTM</c>, <c>nn.GRU</c>), from
/// <c>tests/fixtures/torch/cells.json</c> written by <c>make_fixtures.py</c>. Weights enter in PyTorch's layout and
/// go through <see cref="PyTorchWeights"/>, so the gradients come out in PyTorch's layout too.
/// </summary>
public class PyTorchParityTests
{
    public static TheoryData<string> Cases() => [.. Fixture.Cases.Select(c => c.GetProperty("name").GetString()!)];

    [Theory, MemberData(nameof(Cases))]
    public void Matches_pytorch(string name)
    {
        var c = Fixture.Cases.Single(x => x.GetProperty("name").GetString() == name);
        if (c.GetProperty("dtype").GetString() == "float64") Run<double>(c, rtol: 1e-10, atol: 1e-12);
        else Run<float>(c, rtol: 1e-5, atol: 1e-5);
    }

    private sealed record Inputs<T>(PyTorchRnnWeights<T> W, Tensor<T> X, Tensor<T> H0, Tensor<T> C0) where T : unmanaged, IFloatingPointIeee754<T>;

    private static void Run<T>(JsonElement c, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cell = c.GetProperty("cell").GetString();
        var p = c.GetProperty("params");
        var inputs = new Inputs<T>(
            new PyTorchRnnWeights<T>(Fixture.Read<T>(p, "weight_ih_l0"), Fixture.Read<T>(p, "weight_hh_l0"), Fixture.Read<T>(p, "bias_ih_l0"), Fixture.Read<T>(p, "bias_hh_l0")),
            Fixture.Read<T>(c, "x"), Fixture.Read<T>(c, "h0"), cell == "lstm" ? Fixture.Read<T>(c, "c0") : Tensor.Zeros<T>(1));
        var rOut = Fixture.Read<T>(c, "r_out");
        var rH = Fixture.Read<T>(c, "r_h");

        (Tensor<T> Outputs, Tensor<T> H, Tensor<T> C) Forward(Inputs<T> q) => cell switch
        {
            "rnn" => Out(Sequence.Unroll(PyTorchWeights.ToRnn(q.W), q.X, new RnnState<T>(q.H0))),
            "gru" => Out(Sequence.Unroll(PyTorchWeights.ToGru(q.W), q.X, new RnnState<T>(q.H0))),
            "lstm" => Out(Sequence.Unroll(PyTorchWeights.ToLstm(q.W), q.X, new LstmState<T>(q.H0, q.C0))),
            _ => throw new InvalidOperationException(cell),
        };

        Tensor<T> Loss(Inputs<T> q)
        {
            var (o, h, cs) = Forward(q);
            var loss = Sum(o * rOut) + Sum(h * rH);
            return cell == "lstm" ? loss + Sum(cs * Fixture.Read<T>(c, "r_c")) : loss;
        }

        var (outputs, hn, cn) = Forward(inputs);
        Close(Fixture.Read<T>(c, "output"), outputs, rtol, atol);
        Close(Fixture.Read<T>(c, "h_n"), hn, rtol, atol);
        if (cell == "lstm") Close(Fixture.Read<T>(c, "c_n"), cn, rtol, atol);

        var (value, g) = Autodiff.ValueAndGrad((Inputs<T> q) => Loss(q))(inputs);
        Assert.Equal(c.GetProperty("loss").GetDouble(), double.CreateTruncating(value.ToScalar()), rtol * 10 * Math.Max(1, Math.Abs(c.GetProperty("loss").GetDouble())));
        var grads = c.GetProperty("grads");
        Close(Fixture.Read<T>(grads, "weight_ih_l0"), g.W.WeightIh, rtol, atol);
        Close(Fixture.Read<T>(grads, "weight_hh_l0"), g.W.WeightHh, rtol, atol);
        Close(Fixture.Read<T>(grads, "bias_ih_l0"), g.W.BiasIh, rtol, atol);
        Close(Fixture.Read<T>(grads, "bias_hh_l0"), g.W.BiasHh, rtol, atol);
        Close(Fixture.Read<T>(grads, "x"), g.X, rtol, atol);
        Close(Fixture.Read<T>(grads, "h0"), g.H0, rtol, atol);
        if (cell == "lstm") Close(Fixture.Read<T>(grads, "c0"), g.C0, rtol, atol);
    }

    private static (Tensor<T>, Tensor<T>, Tensor<T>) Out<T>(SequenceResult<RnnState<T>, T> r) where T : unmanaged, IFloatingPointIeee754<T> => (r.Outputs, r.Final.H, r.Final.H);
    private static (Tensor<T>, Tensor<T>, Tensor<T>) Out<T>(SequenceResult<LstmState<T>, T> r) where T : unmanaged, IFloatingPointIeee754<T> => (r.Outputs, r.Final.H, r.Final.C);

    private static void Close<T>(Tensor<T> expected, Tensor<T> actual, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorAssert.Close(expected, actual, rtol, atol);

    [Fact]
    public void The_fixture_file_has_every_cell_in_both_precisions()
    {
        var kinds = Fixture.Cases.Select(c => (c.GetProperty("cell").GetString(), c.GetProperty("dtype").GetString())).Distinct().Count();
        Assert.Equal(6, kinds);
    }
}

internal static class Fixture
{
    private static readonly Lazy<JsonElement[]> cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "cells.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static JsonElement[] Cases => cases.Value;

    public static Tensor<T> Read<T>(JsonElement parent, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var e = parent.GetProperty(name);
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(x => T.CreateTruncating(x.GetDouble())).ToArray();
        return Tensor.FromArray(data, new Shape(shape));
    }
}
