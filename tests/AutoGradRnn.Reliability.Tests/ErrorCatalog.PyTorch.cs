namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    private static RecurrentLayers<LstmState<float>, float> LstmLayers(int layers) =>
        RecurrentLayers.Create<LstmState<float>, float>(3, 4, layers, bidirectional: false, (d, h, s) => Lstm<float>.Create(d, h, s), seed: 1);

    /// <summary>E140–E144: whole-model PyTorch exchange (RecurrentLayers, PyTorchModel).</summary>
    private static IReadOnlyList<ErrorCase> PyTorchCases { get; } =
    [
        new("E140", "interop", "export Bidirectional(Stacked, Stacked) of 2 layers as one PyTorch module", typeof(PyTorchLayoutException),
            _ => PyTorchModel.ToStateDict(new Bidirectional<LstmState<float>[], float>(
                Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 4, 2)),
                Stacked<LstmState<float>, float>.Of(Lstm<float>.Create(3, 4, 3), Lstm<float>.Create(4, 4, 4))))),
        new("E141", "interop", "export a peephole LSTM as a PyTorch module", typeof(PyTorchLayoutException),
            _ => PyTorchModel.ToStateDict(PeepholeLstm<float>.Create(3, 4, 1))),
        new("E142", "interop", "load a 1-layer nn.LSTM state_dict as 2 layers", typeof(PyTorchLayoutException),
            _ => PyTorchModel.LstmFromStateDict(PyTorchModel.ToStateDict(LstmLayers(1)), numLayers: 2, bidirectional: false)),
        new("E143", "interop", "load a 2-layer nn.LSTM state_dict as 1 layer", typeof(PyTorchLayoutException),
            _ => PyTorchModel.LstmFromStateDict(PyTorchModel.ToStateDict(LstmLayers(2)), numLayers: 1, bidirectional: false)),
        new("E144", "cells", "bidirectional layers whose layer 1 reads H, not 2H, features", typeof(ShapeMismatchException),
            _ => RecurrentLayers<LstmState<float>, float>.Of([Lstm<float>.Create(3, 4, 1), Lstm<float>.Create(4, 4, 2)], [Lstm<float>.Create(3, 4, 3), Lstm<float>.Create(4, 4, 4)])),
    ];
}
