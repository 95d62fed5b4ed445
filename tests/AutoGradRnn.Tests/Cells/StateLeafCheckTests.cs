namespace AutoGradRnn.Tests;

/// <summary>
/// The state check leaf by leaf, where <see cref="StateCheckTests"/> does not go: a missing FIRST leaf (the lookup by
/// name, not by position), a state with a leaf too many (named, with the leaves the cell has), and which records the
/// null-parameter check inspects (the library's own, not a foreign cell's).
/// </summary>
public class StateLeafCheckTests
{
    /// <summary>A foreign cell whose state is an array of tensors: its zero state has two leaves, [0] and [1].</summary>
    private sealed record ArrayStateCell(Rnn<double> Inner, string Label) : IRecurrentCell<Tensor<double>[], double>
    {
        public int InputSize => Inner.InputSize;
        public int OutputSize => Inner.OutputSize;
        public Tensor<double>[] InitialState(int batchSize) => [Tensor.Zeros<double>(batchSize, OutputSize), Tensor.Zeros<double>(batchSize, 1)];
        public Tensor<double>[] Step(Tensor<double>[] state, Tensor<double> input) => [Inner.Step(new RnnState<double>(state[0]), input).H, state[1] + 1.0];
        public Tensor<double> Output(Tensor<double>[] state) => state[0];
    }

    [Fact]
    public void A_missing_first_leaf_is_named_even_though_the_second_is_there()
    {
        var lstm = Lstm<double>.Create(3, 4, 1);
        var state = new LstmState<double>(null!, Tensor.Zeros<double>(2, 4));
        Assert.Equal("lstm step: [2,3]: state H is missing; it must be [2,4] for this input",
            Assert.Throws<ShapeMismatchException>(() => lstm.Step(state, Tensor.Zeros<double>(2, 3))).Message);
    }

    [Fact]
    public void A_leaf_too_many_is_named_with_the_leaves_the_cell_has()
    {
        var cell = new ArrayStateCell(Rnn<double>.Create(3, 4, 1), "a");
        var x = Tensor.Zeros<double>(2, 5, 3);
        Tensor<double>[] extra = [.. cell.InitialState(2), Tensor.Zeros<double>(2, 7)];
        var e = Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(cell, x, extra));
        Assert.Equal("ArrayStateCell step: [2,3] x [2,7]: state [2] is not part of this cell's state ([0], [1])", e.Message);
        // The right number of leaves runs (the check compares the counts exactly).
        Assert.Equal(new Shape(2, 1), Sequence.Unroll(cell, x, cell.InitialState(2)).Final[1].Shape);
        Assert.Equal(5.0, Sequence.Unroll(cell, x, cell.InitialState(2)).Final[1].ToArray()[0]);
    }

    [Fact]
    public void Only_the_library_records_are_searched_for_null_parameters()
    {
        // A foreign record may hold a null where its own type says non-null: that is its business, not a missing weight.
        var cell = new ArrayStateCell(Rnn<double>.Create(3, 4, 1), null!);
        var x = Tensor.RandomNormal<double>(new Shape(2, 3, 3), 1);
        Assert.Equal(new Shape(2, 3, 4), Sequence.Unroll(cell, x).Outputs.Shape);
        Assert.Single(Sequence.Paths(cell, x, cell.InitialState(2)));
    }
}
