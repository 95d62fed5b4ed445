namespace AutoGradRnn.Tests;

/// <summary>
/// Cells built with <c>new</c> or <c>with</c> can be malformed in ways <c>Create</c>/<c>Of</c> rule out. Each is named with
/// the exception type of its kind of mistake (null: <see cref="ArgumentNullException"/>, a count: <see cref="ArgumentOutOfRangeException"/>,
/// sizes: <see cref="ShapeMismatchException"/>), never a NullReference or IndexOutOfRange from deep inside a step.
/// </summary>
public class MalformedCellTests
{
    private static readonly Lstm<double> Cell = Lstm<double>.Create(3, 4, 1);
    private static readonly Tensor<double> X = Tensor.Zeros<double>(2, 5, 3);

    [Fact]
    public void A_null_parameter_is_named_by_step_unroll_paths_and_checkpointed_unroll()
    {
        var broken = Cell with { Wf = null! };
        foreach (var act in new Action[]
        {
            () => broken.Step(Cell.InitialState(2), Tensor.Zeros<double>(2, 3)),
            () => Sequence.Unroll(broken, X),
            () => Sequence.Unroll(broken, X, Cell.InitialState(2)),
            () => Sequence.Unroll(broken, X, Cell.InitialState(2), Tensor.Ones<double>(2, 5)),
            () => Sequence.UnrollComposed(broken, X, Cell.InitialState(2)),
            () => Sequence.Paths(broken, X, Cell.InitialState(2)),
            () => Sequence.UnrollCheckpointed(broken, X, Cell.InitialState(2), 2),
        })
        {
            var e = Assert.Throws<ArgumentNullException>(act);
            Assert.Equal("Lstm: parameter Wf is null (Parameter 'Wf')", e.Message);
        }
    }

    [Fact]
    public void A_null_parameter_deep_in_a_cell_is_named_with_its_path()
    {
        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        var broken = grid with { Blocks = [grid.Blocks[0], grid.Blocks[1] with { Depth = grid.Blocks[1].Depth with { Wo = null! } }] };
        Assert.Equal("Blocks[1].Depth.Wo", Assert.Throws<ArgumentNullException>(() => Sequence.Unroll(broken, X)).ParamName);
        var clockwork = ClockworkRnn<double>.Create(3, 2, [1, 2], 1);
        Assert.Equal("ClockworkRnn: parameter B[1] is null (Parameter 'B[1]')",
            Assert.Throws<ArgumentNullException>(() => (clockwork with { B = [clockwork.B[0], null!] }).Step(clockwork.InitialState(2), Tensor.Zeros<double>(2, 3))).Message);
        var stacked = Stacked<LstmState<double>, double>.Of(Cell, Lstm<double>.Create(4, 4, 2));
        var brokenStack = stacked with { Layers = [Cell, Lstm<double>.Create(4, 4, 2) with { Bc = null! }] };
        Assert.Equal("Layers[1].Bc", Assert.Throws<ArgumentNullException>(() => Sequence.Unroll(brokenStack, X)).ParamName);
        Assert.Equal("Stacked: parameter Layers[1].Bc is null (Parameter 'Layers[1].Bc')",
            Assert.Throws<ArgumentNullException>(() => Sequence.Unroll(brokenStack, X, stacked.InitialState(2))).Message);
    }

    [Fact]
    public void A_grid_step_names_a_null_block_list_projection_or_time_state_before_reading_its_sizes()
    {
        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        var (state, x) = (grid.InitialState(2), Tensor.Zeros<double>(2, 3));
        Assert.Equal("GridLstm: parameter Blocks is null (Parameter 'Blocks')",
            Assert.Throws<ArgumentNullException>(() => (grid with { Blocks = null! }).Step(state, x)).Message);
        Assert.Equal("GridLstm: parameter Projection is null (Parameter 'Projection')",
            Assert.Throws<ArgumentNullException>(() => (grid with { Projection = null! }).Step(state, x)).Message);
        Assert.Equal("state.Time", Assert.Throws<ArgumentNullException>(() => grid.Step(state with { Time = null! }, x)).ParamName);
    }

    [Fact]
    public void Malformed_stacks_and_bidirectional_pairs_are_named()
    {
        Assert.Equal("stacked: 0 layers; at least 1 is needed (Parameter 'Layers')",
            Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.Unroll(new Stacked<LstmState<double>, double>([]), X)).Message);
        Assert.Equal("stacked: 0 layers; at least 1 is needed (Parameter 'layers')",
            Assert.Throws<ArgumentOutOfRangeException>(() => Stacked<LstmState<double>, double>.Of()).Message);
        Assert.Equal("stacked: layer 1 is null (Parameter 'layers')",
            Assert.Throws<ArgumentNullException>(() => Stacked<LstmState<double>, double>.Of(Cell, null!)).Message);
        Assert.Equal("stacked: layer 1 reads 3 features but layer 0 outputs 4",
            Assert.Throws<ShapeMismatchException>(() => Stacked<LstmState<double>, double>.Of(Cell, Cell)).Message);
        Assert.Equal("depth-gated lstm: layer 1 is null (Parameter 'upper')",
            Assert.Throws<ArgumentNullException>(() => DepthGatedLstm<double>.Of(Cell, [null!])).Message);
        var grid = GridLstm<double>.Create(3, 4, 2, 1);
        Assert.Equal("grid lstm: 0 layers; at least 1 is needed (Parameter 'Blocks')",
            Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.Unroll(grid with { Blocks = [] }, X, grid.InitialState(2) with { Time = [] })).Message);
        Assert.Equal("Linear: parameter B is null (Parameter 'B')", Assert.Throws<ArgumentNullException>(() => (Linear<double>.Create(3, 2, 1) with { B = null! }).Apply(Tensor.Zeros<double>(1, 3))).Message);
        Assert.Equal("Embedding: parameter Table is null (Parameter 'Table')", Assert.Throws<ArgumentNullException>(() => new Embedding<double>(null!).Apply([0])).Message);
        var state = Cell.InitialState(2);
        foreach (var (wrapper, name) in new (IRecurrentCell<LstmState<double>, double>, string)[]
                     { (new VariationalDropout<LstmState<double>, double>(null!), "VariationalDropout"), (new Zoneout<LstmState<double>, double>(null!), "Zoneout") })
        {
            Assert.Equal($"{name}: parameter Cell is null (Parameter 'Cell')", Assert.Throws<ArgumentNullException>(() => wrapper.Step(state, Tensor.Zeros<double>(2, 3))).Message);
            Assert.Equal($"{name}: parameter Cell is null (Parameter 'Cell')", Assert.Throws<ArgumentNullException>(() => Sequence.Unroll(wrapper, X, state)).Message);
        }
        var bi = new Bidirectional<LstmState<double>, double>(Cell, null!);
        Assert.Equal("bidirectional: the backward cell is null (Parameter 'Backward')", Assert.Throws<ArgumentNullException>(() => bi.Unroll(X)).Message);
        Assert.Throws<ArgumentNullException>(() => bi.OutputSize);
    }

    [Fact]
    public void Trees_and_gradients_that_differ_in_leaf_count_are_shape_mismatches_like_those_that_differ_in_shape()
    {
        Tensor<double>[] one = [Tensor.Zeros<double>(1)], two = [Tensor.Zeros<double>(1), Tensor.Zeros<double>(1)];
        Assert.Equal("tree map: the trees differ: the second has 2 leaves, the first 1", Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Map2(one, two, (a, _) => a)).Message);
        Assert.Equal("unflatten: 2 leaves given, the tree has 1", Assert.Throws<ShapeMismatchException>(() => ParameterTree<double>.Unflatten(one, [.. two])).Message);
        var adam = new Adam<double>(0.1);
        Assert.Equal("optimizer: 2 gradients for 1 parameters", Assert.Throws<ShapeMismatchException>(() => adam.Update(one, two, adam.Init(one))).Message);
    }
}
