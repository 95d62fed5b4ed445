namespace AutoGradRnn.Tests;

/// <summary>
/// <see cref="Sequence.Paths{TState, T}"/> for arguments the unroll would refuse: never the fused path (the kernel
/// would run on them), but one per-step path saying the arguments do not fit, for a cell and for a whole stack.
/// Each precondition of the fused choice is crossed on its own.
/// </summary>
public class PathsOfBadArgumentsTests
{
    private const string DoNotFit = "the arguments do not fit the cell; unrolling reports what is wrong";

    private static readonly Lstm<double> Cell = Lstm<double>.Create(3, 4, 1);

    private static void NotFitting<TState>(IRecurrentCell<TState, double> cell, Tensor<double> x, TState state, Tensor<double>? mask = null) =>
        Assert.Equal(new UnrollPath(Sequence.CellName(cell), false, DoNotFit), Assert.Single(Sequence.Paths(cell, x, state, mask)));

    [Fact]
    public void A_cell_with_inputs_mask_or_state_that_do_not_fit_is_told_not_to_fit()
    {
        var good = Cell.InitialState(2);
        Assert.True(Assert.Single(Sequence.Paths(Cell, Tensor.Zeros<double>(2, 5, 3), good)).Fused);      // the baseline is fused
        NotFitting(Cell, Tensor.Zeros<double>(2, 5, 2), good);                                              // width
        NotFitting(Cell, Tensor.Zeros<double>(2, 5), good);                                                 // rank
        NotFitting(Cell, Tensor.Zeros<double>(2, 0, 3), good);                                              // no steps
        NotFitting(Cell, Tensor.Zeros<double>(0, 5, 3), new LstmState<double>(Tensor.Zeros<double>(0, 4), Tensor.Zeros<double>(0, 4)));  // no batch
        NotFitting(Cell, Tensor.Zeros<double>(2, 5, 3), good, Tensor.Ones<double>(2, 4));                   // mask of another length
        NotFitting(Cell, Tensor.Zeros<double>(2, 5, 3), good with { C = Tensor.Zeros<double>(1, 4) });      // C of another batch
        NotFitting(Cell, Tensor.Zeros<double>(2, 5, 3), good with { H = Tensor.Zeros<double>(2, 5) });      // H of another width
        var gru = Gru<double>.Create(3, 4, 1);
        NotFitting(gru, Tensor.Zeros<double>(2, 5, 3), new RnnState<double>(Tensor.Zeros<double>(1, 4)));
    }

    [Fact]
    public void A_stack_with_arguments_that_do_not_fit_is_told_not_to_fit_as_one_path()
    {
        var stack = Stacked<LstmState<double>, double>.Of(Cell, Lstm<double>.Create(4, 5, 2), Lstm<double>.Create(5, 2, 3));
        var good = stack.InitialState(2);
        Assert.Equal(3, Sequence.Paths(stack, Tensor.Zeros<double>(2, 5, 3), good).Count);
        NotFitting(stack, Tensor.Zeros<double>(2, 5, 2), good);
        NotFitting(stack, Tensor.Zeros<double>(2, 5), good);
        NotFitting(stack, Tensor.Zeros<double>(2, 0, 3), good);
        NotFitting(stack, Tensor.Zeros<double>(0, 5, 3), good);
        NotFitting(stack, Tensor.Zeros<double>(2, 5, 3), good, Tensor.Ones<double>(2, 4));
        // A state of two layers for three, and a stack built with new whose LAST gap does not fit (the first does): not
        // run layer by layer, so one path for the whole stack (which has no kernel of its own), not one per layer.
        var broken = new Stacked<LstmState<double>, double>([Cell, Lstm<double>.Create(4, 5, 2), Lstm<double>.Create(4, 2, 3)]);
        Assert.Equal(new UnrollPath("Stacked", false, "no fused kernel for Stacked"), Assert.Single(Sequence.Paths(stack, Tensor.Zeros<double>(2, 5, 3), good[..2])));
        Assert.Equal(new UnrollPath("Stacked", false, "no fused kernel for Stacked"), Assert.Single(Sequence.Paths(broken, Tensor.Zeros<double>(2, 5, 3), good)));
    }

    [Fact]
    public void An_empty_batch_or_sequence_through_a_stack_is_the_unrolls_own_shape_error()
    {
        var stack = Stacked<LstmState<double>, double>.Of(Cell, Lstm<double>.Create(4, 5, 2));
        var state = stack.InitialState(2);
        Assert.Contains("the batch is empty", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(stack, Tensor.Zeros<double>(0, 5, 3), state)).Message);
        Assert.Contains("no time steps", Assert.Throws<ShapeMismatchException>(() => Sequence.Unroll(stack, Tensor.Zeros<double>(2, 0, 3), state)).Message);
    }
}
