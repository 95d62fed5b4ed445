using System.Reflection;

namespace AutoGradRnn.Tests;

/// <summary>
/// Never silently slow: every unmet precondition of the fused path is decided explicitly and its reason is visible
/// in <see cref="UnrollTrace"/>, in <see cref="Sequence.Paths{TState, T}"/> and on the tape (<see cref="Tape{T}.Annotations"/>).
/// And every kernel is bound to its cell: each public property of a fusable cell is consumed by the kernel or listed as irrelevant.
/// </summary>
public class FusedPathTests
{
    private static readonly Tensor<double> X = Tensor.RandomNormal<double>(new Shape(2, 3, 2), seed: 1);

    /// <summary>Unrolls with a tracked input and an open trace; the path, the tape's annotation and Paths must all tell the same reason.</summary>
    private static Tape<double> AssertPath<TState>(IRecurrentCell<TState, double> cell, TState state, Tensor<double>? mask, bool fused, string reason)
    {
        var name = Sequence.CellName(cell);
        var advance = Assert.Single(Sequence.Paths(cell, X, state, mask));
        Assert.Equal(new UnrollPath(name, fused, reason), advance);
        var tape = mask?.Tape ?? new Tape<double>();
        var x = tape.Track(X);
        using var trace = UnrollTrace.Start();
        _ = mask is null ? Sequence.Unroll(cell, x, state) : Sequence.Unroll(cell, x, state, mask);
        Assert.Equal(advance, Assert.Single(trace.Paths));
        var note = Assert.Single(tape.Annotations);
        Assert.Equal(advance.ToString(), note.Text);
        Assert.Equal(x.Id + 1, note.Node);                           // the note precedes the unroll's first node
        Assert.Equal(fused, tape.Ops[note.Node].EndsWith("(fused)", StringComparison.Ordinal));
        Assert.Equal(fused, tape.Ops.Any(op => op.EndsWith("(fused)", StringComparison.Ordinal)));
        return tape;
    }

    [Fact]
    public void A_fused_unroll_names_its_kernel_on_the_tape()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var tape = AssertPath(lstm, lstm.InitialState(2), null, true, "lstm (fused)");
        Assert.Equal("Lstm: fused (lstm (fused))", tape.Annotations[0].Text);
        Assert.Equal("lstm (fused)", tape.Ops[tape.Annotations[0].Node]);
    }

    [Fact]
    public void A_tracked_mask_runs_per_step_with_its_reason()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var mask = new Tape<double>().Track(Sequence.MaskFromLengths<double>([3, 2], 3));
        AssertPath(lstm, lstm.InitialState(2), mask, false, "the mask is tracked on a tape; Detach() it to run fused");
    }

    [Fact]
    public void A_mask_of_other_values_than_0_and_1_runs_per_step_with_its_reason()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        AssertPath(lstm, lstm.InitialState(2), Tensor.Fill(0.5, new Shape(2, 3)), false, "the mask has values other than 0 and 1");
    }

    [Fact]
    public void The_full_matrix_peephole_runs_per_step_with_its_reason()
    {
        var peephole = PeepholeLstm<double>.Create(2, 3, 1, diagonal: false);
        AssertPath(peephole, peephole.InitialState(2), null, false,
            "no fused kernel for the full-matrix peephole form (P [H, H]); the diagonal form (P [H]) has one");
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-1e-5, "-1E-05")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void A_layer_norm_epsilon_that_is_not_finite_and_positive_runs_per_step_with_its_reason(double epsilon, string shown)
    {
        var cell = LayerNormLstm<double>.Create(2, 3, 1) with { Epsilon = epsilon };
        Assert.Equal(new UnrollPath("LayerNormLstm", false, $"Epsilon is {shown}; the fused kernel needs a finite ε > 0"),
            Assert.Single(Sequence.Paths(cell, X, cell.InitialState(2), null)));
        var tiny = LayerNormLstm<double>.Create(2, 3, 1) with { Epsilon = double.Epsilon };
        Assert.True(Assert.Single(Sequence.Paths(tiny, X, tiny.InitialState(2), null)).Fused);
    }

    [Fact]
    public void A_cell_without_a_kernel_runs_per_step_with_its_reason()
    {
        var clockwork = ClockworkRnn<double>.Create(2, 2, [1, 2], 1);
        AssertPath(clockwork, clockwork.InitialState(2), null, false, "no fused kernel for ClockworkRnn");
    }

    [Fact]
    public void A_weight_of_another_shape_than_the_kernel_reads_runs_per_step_with_its_reason()
    {
        // A bias [1] broadcasts in the per-step equations, so that path runs it; the kernel would read H values.
        var lstm = Lstm<double>.Create(2, 3, 1) with { Bi = Tensor.Fill(0.1, new Shape(1)) };
        AssertPath(lstm, lstm.InitialState(2), null, false, "parameter Bi is [1]; the fused kernel reads it as [3]");
        var gru = GruResetAfter<double>.Create(2, 3, 1);
        gru = gru with { Bnh = Tensor.Fill(0.1, new Shape(1)) };
        AssertPath(gru, gru.InitialState(2), null, false, "parameter Bnh is [1]; the fused kernel reads it as [3]");
    }

    [Fact]
    public void The_tracked_mask_lstm_of_4_by_50_steps_records_why_it_took_1604_nodes()
    {
        var lstm = Lstm<double>.Create(2, 3, 1);
        var tape = new Tape<double>();
        var x = tape.Track(Tensor.RandomNormal<double>(new Shape(4, 50, 2), seed: 1));
        var mask = tape.Track(Sequence.MaskFromLengths<double>([50, 40, 30, 20], 50));
        Sequence.Unroll(lstm, x, lstm.InitialState(4), mask);
        Assert.True(tape.Count > 1000, $"{tape.Count} nodes");
        var note = Assert.Single(tape.Annotations);
        Assert.Equal("Lstm: per-step (the mask is tracked on a tape; Detach() it to run fused)", note.Text);
        Assert.Equal(2, note.Node);

        var fused = new Tape<double>();
        Sequence.Unroll(lstm, fused.Track(x.Detach()), lstm.InitialState(4), mask.Detach());
        Assert.True(fused.Count < 10, $"{fused.Count} nodes: {string.Join(", ", fused.Ops)}");
        Assert.Equal("Lstm: fused (lstm (fused))", Assert.Single(fused.Annotations).Text);
    }

    [Fact]
    public void Each_layer_of_a_stack_leaves_its_own_note()
    {
        var stack = Stacked<LstmState<double>, double>.Of(Lstm<double>.Create(2, 3, 1), Lstm<double>.Create(3, 3, 2));
        var tape = new Tape<double>();
        Sequence.Unroll(stack, tape.Track(X));
        Assert.Equal(2, tape.Annotations.Count);
        Assert.All(tape.Annotations, a => Assert.Contains("fused (lstm (fused))", a.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void The_note_goes_on_the_tape_of_whichever_input_is_tracked()
    {
        // Only a parameter is tracked (as in training): the note still lands on its tape, before the fused node.
        var tape = new Tape<double>();
        var lstm = Lstm<double>.Create(2, 3, 1);
        lstm = lstm with { Wf = tape.Track(lstm.Wf) };
        Sequence.Unroll(lstm, X);
        var note = Assert.Single(tape.Annotations);
        Assert.Equal("Lstm: fused (lstm (fused))", note.Text);
        Assert.Equal("lstm (fused)", tape.Ops[note.Node]);
    }

    // ---- each kernel bound to its cell ----

    /// <summary>
    /// Every public property of a fusable cell record, by name: the tensors its kernel records as inputs (checked by
    /// identity against <see cref="FusedCellKernel{T}.Parameters"/>), the non-tensor values it reads (checked by
    /// changing them), and the properties it ignores, with why. The lists are compared EXACTLY with the record's
    /// properties, so a new init-only property (say <c>Tensor&lt;T&gt;? Bp</c> on Lstm) fails this test until it is
    /// either consumed by the kernel or listed as irrelevant here; <see cref="The_binding_check_catches_a_property_the_list_leaves_out"/>
    /// shows the check reporting a property missing from a list.
    /// </summary>
    private sealed record Binding(object Cell, string[] Tensors, string[] Values, Dictionary<string, string> Irrelevant);

    private static readonly Dictionary<string, string> Sizes = new()
    {
        ["OutputSize"] = "derived from the weights' shapes, which the kernel checks (FusedKernels.Create)",
        ["InputSize"] = "derived from the weights' shapes, which the kernel checks (FusedKernels.Create)",
    };

    private static IEnumerable<Binding> Bindings()
    {
        yield return new(Lstm<double>.Create(2, 3, 1), ["Wf", "Bf", "Wi", "Bi", "Wc", "Bc", "Wo", "Bo"], [], Sizes);
        yield return new(CoupledLstm<double>.Create(2, 3, 1), ["Wf", "Bf", "Wc", "Bc", "Wo", "Bo"], [], Sizes);
        yield return new(Rnn<double>.Create(2, 3, 1), ["W", "B"], [], Sizes);
        yield return new(Gru<double>.Create(2, 3, 1), ["Wz", "Bz", "Wr", "Br", "W", "B"], [], Sizes);
        yield return new(GruResetAfter<double>.Create(2, 3, 1), ["Wr", "Br", "Wz", "Bz", "Wnx", "Bnx", "Wnh", "Bnh"], [], Sizes);
        yield return new(PeepholeLstm<double>.Create(2, 3, 1, diagonal: true), ["Wf", "Pf", "Bf", "Wi", "Pi", "Bi", "Wc", "Bc", "Wo", "Po", "Bo"], [],
            new(Sizes) { ["Diagonal"] = "derived from Pf's rank; decides kernel or per-step (FusedKernels.Create), and the kernel reads the P vectors" });
        yield return new(LayerNormLstm<double>.Create(2, 3, 1), ["Wh", "Wx", "B", "GainH", "BiasH", "GainX", "BiasX", "GainC", "BiasC"], ["Epsilon"], Sizes);
    }

    /// <summary>What is wrong with a binding: properties missing from or extra in the lists, tensors the kernel does not record, values it does not read.</summary>
    private static List<string> Problems(Binding b)
    {
        var problems = new List<string>();
        var type = b.Cell.GetType();
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Order().ToList();
        var listed = b.Tensors.Concat(b.Values).Concat(b.Irrelevant.Keys).Order().ToList();
        problems.AddRange(properties.Except(listed).Select(p => $"{type.Name}.{p} is neither consumed nor listed as irrelevant"));
        problems.AddRange(listed.Except(properties).Select(p => $"{type.Name} has no property {p}"));
        var kernel = Kernel(b.Cell);
        foreach (var name in b.Tensors)
            if (type.GetProperty(name)?.GetValue(b.Cell) is not Tensor<double> t || !kernel.Parameters.Any(p => ReferenceEquals(p, t)))
                problems.Add($"{type.Name}.{name} is not among the kernel's parameters");
        if (kernel.Parameters.Length != b.Tensors.Length) problems.Add($"{type.Name}: the kernel records {kernel.Parameters.Length} parameters, the list {b.Tensors.Length}");
        foreach (var name in b.Values)
            if (!ChangesTheFusedOutput(b.Cell, name)) problems.Add($"{type.Name}.{name} does not change the kernel's output");
        return problems;
    }

    private static FusedCellKernel<double> Kernel(object cell) => cell switch
    {
        IRecurrentCell<LstmState<double>, double> c => FusedKernels.Create(c).Kernel!,
        IRecurrentCell<RnnState<double>, double> c => FusedKernels.Create(c).Kernel!,
        _ => throw new InvalidOperationException(cell.GetType().Name),
    };

    /// <summary>A non-tensor value the kernel reads: doubling it (through the record's <c>with</c>) changes the fused outputs.</summary>
    private static bool ChangesTheFusedOutput(object cell, string name)
    {
        var clone = (LayerNormLstm<double>)cell with { };
        var p = typeof(LayerNormLstm<double>).GetProperty(name)!;
        p.SetValue(clone, (double)p.GetValue(cell)! * 1e4);
        var x = Tensor.RandomNormal<double>(new Shape(2, 3, 2), seed: 3);
        var a = Sequence.Unroll((LayerNormLstm<double>)cell, x).Outputs.ToArray();
        var b = Sequence.Unroll(clone, x).Outputs.ToArray();
        return !a.SequenceEqual(b);
    }

    [Fact]
    public void Every_property_of_a_fusable_cell_is_consumed_by_its_kernel_or_listed_as_irrelevant()
    {
        var bindings = Bindings().ToList();
        Assert.Equal(["CoupledLstm", "Gru", "GruResetAfter", "LayerNormLstm", "Lstm", "PeepholeLstm", "Rnn"],
            bindings.Select(b => Sequence.CellName(b.Cell)).Order(StringComparer.Ordinal));
        Assert.Empty(bindings.SelectMany(Problems));
    }

    [Fact]
    public void The_binding_check_catches_a_property_the_list_leaves_out()
    {
        // As if Lstm had gained Bo after the list was written: the record has a property the list does not name.
        var lstm = new Binding(Lstm<double>.Create(2, 3, 1), ["Wf", "Bf", "Wi", "Bi", "Wc", "Bc", "Wo"], [], Sizes);
        Assert.Contains("Lstm`1.Bo is neither consumed nor listed as irrelevant", Problems(lstm));
        // … and a kernel that ignores a listed tensor (the coupled kernel records no Wi).
        var coupled = new Binding(CoupledLstm<double>.Create(2, 3, 1), ["Wf", "Bf", "Wc", "Bc", "Wo", "Bo", "OutputSize"], [], new() { ["InputSize"] = "" });
        Assert.Contains("CoupledLstm`1.OutputSize is not among the kernel's parameters", Problems(coupled));
    }
}
