using System.Numerics;
using static AutoGradRnn.Ops;

namespace AutoGradRnn;

/// <summary>
/// The three recurrent regularisers as one setting, for code that trains a cell or a stack and evaluates it later (the
/// applications): dropout between stacked layers (PyTorch's <c>nn.LSTM(dropout=p)</c>), variational dropout on every
/// layer's input and recurrent h (<see cref="VariationalDropout{TState, T}"/>, one mask per sequence) and zoneout on every
/// layer's state (<see cref="Zoneout{TState, T}"/>). Training unrolls with masks drawn from a given <see cref="Rng"/>;
/// evaluation unrolls with no masks, which is the plain cell except under zoneout, where each step is the expectation
/// <c>s_t = p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>. With every probability 0 both are the plain (fused) unroll.
/// </summary>
/// <remarks>
/// Masks are inputs (see the wrappers), so the cells stay pure functions and the same generator gives the same masks bit
/// for bit. In training the draws come in a fixed order: the masks between layers first
/// (<see cref="DropoutMasks.BetweenLayers{TState, T}(Stacked{TState, T}, int, int, double, Rng)"/>), then, layer by layer,
/// the variational masks (input, then state) and the zoneout masks.
/// </remarks>
public sealed record RecurrentRegularisation
{
    /// <summary>Dropout probability on the outputs of every stacked layer but the last (training only).</summary>
    public double Dropout { get; init; }

    /// <summary>Variational dropout probability, on each layer's input and on its recurrent h alike (training only).</summary>
    public double Variational { get; init; }

    /// <summary>Zoneout probability: in training each state unit keeps its previous value with this probability; in evaluation the expectation.</summary>
    public double Zoneout { get; init; }

    /// <summary>No regularisation: the plain unroll in training and evaluation.</summary>
    public static RecurrentRegularisation None { get; } = new();

    /// <summary>Whether every probability is 0.</summary>
    public bool IsNone => Dropout == 0 && Variational == 0 && Zoneout == 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first probability that is not in [0, 1), with its flag as the user wrote it.</summary>
    /// <param name="command">The command or method to name in the message, e.g. <c>train-char</c>.</param>
    public void Check(string command)
    {
        foreach (var (p, flag) in new[] { (Dropout, "--dropout"), (Variational, "--variational-dropout"), (Zoneout, "--zoneout") })
            if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(flag, p, $"{command}: {flag} {p} must be in [0, 1)");
    }

    /// <summary>
    /// Unrolls one cell in training: the variational masks (input, then state) and the zoneout masks are drawn from
    /// <paramref name="rng"/>. <see cref="Dropout"/> does not apply to a single cell (it sits between layers).
    /// </summary>
    /// <param name="cell">The cell.</param>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">The state before the first step.</param>
    /// <param name="rng">The generator of this training step's masks (e.g. <see cref="DropoutMasks.Stream(long, long, long)"/>).</param>
    /// <param name="mask">Optional <c>[B, T]</c> padding mask, as in <see cref="Sequence.Unroll{TState, T}(IRecurrentCell{TState, T}, Tensor{T}, TState, Tensor{T})"/>.</param>
    public SequenceResult<TState, T> TrainCell<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Rng rng, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        return UnrollCell(cell, inputs, initialState, rng, mask);
    }

    /// <summary>Unrolls one cell in evaluation: the plain cell, or under zoneout its expectation <c>p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">The state before the first step.</param>
    /// <param name="mask">Optional <c>[B, T]</c> padding mask.</param>
    public SequenceResult<TState, T> EvaluateCell<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T> => UnrollCell(cell, inputs, initialState, null, mask);

    /// <summary>The training (<paramref name="training"/> given) or evaluation unroll of one cell.</summary>
    internal SequenceResult<TState, T> UnrollCell<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, TState initialState, Rng? training, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(inputs);
        Check("recurrent regularisation");
        var (wrapped, x) = training is null ? ForEvaluation(cell, inputs) : ForTraining(cell, inputs, training);
        return mask is null ? Sequence.Unroll(wrapped, x, initialState) : Sequence.Unroll(wrapped, x, initialState, mask);
    }

    /// <summary>
    /// Unrolls a stack in training, layer by layer: each layer as <see cref="TrainCell"/>, with dropout between the layers.
    /// With only <see cref="Dropout"/> set this is <see cref="Stacked{TState, T}.UnrollWithDropout"/> with the same masks
    /// (drawn first, by <see cref="DropoutMasks.BetweenLayers{TState, T}(Stacked{TState, T}, int, int, double, Rng)"/>).
    /// </summary>
    /// <param name="stack">The stack.</param>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">One state per layer.</param>
    /// <param name="rng">The generator of this training step's masks.</param>
    /// <param name="mask">Optional <c>[B, T]</c> padding mask.</param>
    public SequenceResult<TState[], T> TrainStack<TState, T>(Stacked<TState, T> stack, Tensor<T> inputs, TState[] initialState, Rng rng, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rng);
        return UnrollStack(stack, inputs, initialState, rng, mask);
    }

    /// <summary>Unrolls a stack in evaluation: every layer as <see cref="EvaluateCell"/>, no dropout between them.</summary>
    /// <param name="stack">The stack.</param>
    /// <param name="inputs"><c>[B, T, D]</c>.</param>
    /// <param name="initialState">One state per layer.</param>
    /// <param name="mask">Optional <c>[B, T]</c> padding mask.</param>
    public SequenceResult<TState[], T> EvaluateStack<TState, T>(Stacked<TState, T> stack, Tensor<T> inputs, TState[] initialState, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T> => UnrollStack(stack, inputs, initialState, null, mask);

    /// <summary>The training (<paramref name="training"/> given) or evaluation unroll of a stack.</summary>
    internal SequenceResult<TState[], T> UnrollStack<TState, T>(Stacked<TState, T> stack, Tensor<T> inputs, TState[] initialState, Rng? training, Tensor<T>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(stack.Layers);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(initialState);
        Check("recurrent regularisation");
        if (Variational == 0 && Zoneout == 0)
        {
            if (training is null || Dropout == 0 || stack.Layers.Length == 1)
                return mask is null ? Sequence.Unroll(stack, inputs, initialState) : Sequence.Unroll(stack, inputs, initialState, mask);
            return stack.UnrollWithDropout(inputs, initialState, DropoutMasks.BetweenLayers(stack, inputs.Shape[0], inputs.Shape[1], Dropout, training), mask);
        }
        CellChecks.Layers("regularised stacked unroll", initialState.Length, stack.Layers.Length, inputs.Shape);
        var between = training is not null && Dropout > 0 ? DropoutMasks.BetweenLayers(stack, inputs.Shape[0], inputs.Shape[1], Dropout, training) : null;
        var finals = new TState[stack.Layers.Length];
        var x = inputs;
        for (int l = 0; l < stack.Layers.Length; l++)
        {
            var r = UnrollCell(stack.Layers[l], x, initialState[l], training, mask);
            finals[l] = r.Final;
            x = between is not null && l < stack.Layers.Length - 1 ? Ops.Dropout(r.Outputs, between[l]) : r.Outputs;
        }
        return new SequenceResult<TState[], T>(x, finals);
    }

    /// <summary>
    /// The cell a step-by-step user (a sampler, a forecaster feeding back its output) runs in evaluation: the cell itself,
    /// or under zoneout a cell whose step is the expectation <c>p·s_{t−1} + (1 − p)·cell(s_{t−1}, x_t)</c>. Its input size is
    /// the cell's.
    /// </summary>
    public IRecurrentCell<TState, T> EvaluationCell<TState, T>(IRecurrentCell<TState, T> cell) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(cell);
        Check("recurrent regularisation");
        return Zoneout == 0 ? cell : new ZoneoutExpectation<TState, T>(new Zoneout<TState, T>(cell), Zoneout);
    }

    private (IRecurrentCell<TState, T> Cell, Tensor<T> Inputs) ForTraining<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs, Rng rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        IRecurrentCell<TState, T> c = cell;
        var x = inputs;
        if (Variational > 0)
        {
            var v = new VariationalDropout<TState, T>(c);
            (c, x) = (v, v.TrainingInputs(x, Variational, Variational, rng));
        }
        if (Zoneout > 0)
        {
            var z = new Zoneout<TState, T>(c);
            (c, x) = (z, z.TrainingInputs(x, Zoneout, rng));
        }
        return (c, x);
    }

    // Variational dropout's evaluation masks are ones, the identity: only zoneout changes the evaluated cell.
    private (IRecurrentCell<TState, T> Cell, Tensor<T> Inputs) ForEvaluation<TState, T>(IRecurrentCell<TState, T> cell, Tensor<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Zoneout == 0) return (cell, inputs);
        var z = new Zoneout<TState, T>(cell);
        return (z, z.EvaluationInputs(inputs, Zoneout));
    }

    /// <summary>Zoneout's evaluation step with the expectation masks supplied internally, so it reads the plain input.</summary>
    private sealed record ZoneoutExpectation<TState, T>(Zoneout<TState, T> Zoned, double P) : IRecurrentCell<TState, T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int InputSize => Zoned.Cell.InputSize;

        public int OutputSize => Zoned.OutputSize;

        public TState InitialState(int batchSize) => Zoned.InitialState(batchSize);

        public TState Step(TState state, Tensor<T> input)
        {
            ArgumentNullException.ThrowIfNull(input);
            var masks = Tensor.Fill(T.CreateTruncating(P), new Shape(input.Shape[0], Zoned.MaskSizes.Sum()));
            return Zoned.Step(state, Concat(input, masks));
        }

        public Tensor<T> Output(TState state) => Zoned.Output(state);
    }
}
