namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="Stacked{TState, T}.UnrollWithDropout"/>'s checks, named: the number of masks (one per gap), the number of
/// layer states, an empty stack; a null mask means no dropout in that gap; and a null layer of a stack built with new.
/// </summary>
public class StackedDropoutChecksTests
{
    private static readonly Lstm<double> L0 = Lstm<double>.Create(3, 4, 1), L1 = Lstm<double>.Create(4, 2, 2);
    private static readonly Tensor<double> X = Tensor.RandomNormal<double>(new Shape(2, 5, 3), 3);

    [Fact]
    public void The_masks_must_be_one_per_gap_between_layers()
    {
        var stack = Stacked<LstmState<double>, double>.Of(L0, L1);
        foreach (var masks in new[] { Array.Empty<Tensor<double>?>(), [null, null] })
        {
            var e = Assert.Throws<ArgumentException>(() => stack.UnrollWithDropout(X, stack.InitialState(2), masks));
            Assert.Equal("dropoutMasks", e.ParamName);
            Assert.StartsWith($"stacked unroll: {masks.Length} dropout masks given for 2 layers (one per gap between layers: 1)", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal("stacked unroll: [2,5,3]: 1 layer states given for 2 layers",
            Assert.Throws<ShapeMismatchException>(() => stack.UnrollWithDropout(X, [L0.InitialState(2)], [null])).Message);
        Assert.StartsWith("stacked: 0 layers; at least 1 is needed",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Stacked<LstmState<double>, double>([]).UnrollWithDropout(X, [], [])).Message, StringComparison.Ordinal);
        // One layer: no gap, no mask; the plain unroll.
        var single = Stacked<LstmState<double>, double>.Of(L0);
        Assert.Equal(Sequence.Unroll(L0, X).Outputs.ToArray(), single.UnrollWithDropout(X, single.InitialState(2), []).Outputs.ToArray());
    }

    [Fact]
    public void A_null_mask_leaves_its_gap_undropped()
    {
        var stack = Stacked<LstmState<double>, double>.Of(L0, L1);
        var plain = Sequence.Unroll(stack, X);
        var r = stack.UnrollWithDropout(X, stack.InitialState(2), [null]);
        Assert.Equal(plain.Outputs.ToArray(), r.Outputs.ToArray());
        // The last layer's outputs are never dropped: a zero mask in the only gap zeroes what layer 1 reads, not its outputs.
        var zero = stack.UnrollWithDropout(X, stack.InitialState(2), [Tensor.Zeros<double>(2, 5, 4)]);
        Assert.Equal(Sequence.Unroll(L1, Tensor.Zeros<double>(2, 5, 4)).Outputs.ToArray(), zero.Outputs.ToArray());
    }

    [Fact]
    public void A_null_layer_of_a_stack_built_with_new_is_named()
    {
        var stack = new Stacked<LstmState<double>, double>([L0, null!]);
        var e = Assert.Throws<ArgumentNullException>(() => stack.OutputSize);
        Assert.Equal("Layers", e.ParamName);
        Assert.StartsWith("stacked: layer 1 is null", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, new Stacked<LstmState<double>, double>([L0, L1]).InputSize);
        Assert.Equal(2, new Stacked<LstmState<double>, double>([L0, L1]).OutputSize);
    }
}
