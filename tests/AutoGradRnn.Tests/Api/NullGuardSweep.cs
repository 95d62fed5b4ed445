using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace AutoGradRnn.Tests;

/// <summary>What passing null for one parameter of one public member did.</summary>
public enum NullGuardOutcome
{
    /// <summary>An <see cref="ArgumentNullException"/> naming the parameter: the guard holds.</summary>
    Guarded,
    /// <summary>A <see cref="NullReferenceException"/>, no exception, or an argument exception naming another parameter.</summary>
    Failed,
    /// <summary>Another exception (the other arguments' samples were refused first): not checkable with these samples.</summary>
    NotCheckable,
    /// <summary>No sample could be built for another argument or for the instance: not run.</summary>
    Unbuildable,
    /// <summary>Not run: null is allowed there by design (the allow-list, or a record's primary constructor).</summary>
    Skipped,
    /// <summary>A null item of a collection not refused by name, listed in <see cref="NullGuardSweep.NullItemGaps"/>: reported, not failed.</summary>
    KnownGap,
}

/// <summary>One (member, parameter) case of the sweep.</summary>
public sealed record NullGuardCase(string Member, string Parameter, NullGuardOutcome Outcome, string Detail)
{
    public override string ToString() => $"{Member}({Parameter}): {Detail}";
}

/// <summary>
/// A small guard-clause assertion (in the spirit of AutoFixture's GuardClauseAssertion) for the AutoGradRnn assembly: every
/// public constructor, static method and instance method, closed over double and float where generic, is called once per
/// reference-type parameter that is not declared nullable, with null there and a valid sample for every other argument.
/// The library promises a one-line <see cref="ArgumentNullException"/> naming the parameter, never a
/// <see cref="NullReferenceException"/> deep inside. Samples are one consistent small problem: batch 2, 3 time steps,
/// input and hidden width 2.
/// </summary>
public static class NullGuardSweep
{
    public static readonly Assembly Library = typeof(Tensor<>).Assembly;

    private const int B = 2, Time = 3, D = 2;

    /// <summary>
    /// Members whose reference parameters accept null by design although not declared nullable, each with why
    /// (matched as "Type.Member(parameter)", the type without its generic arity).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> AcceptsNull = new Dictionary<string, string>
    {
        // Exceptions: parts of the message only, as in Exception(string? message); a null part prints empty.
        ["ShapeMismatchException.ctor(op)"] = "message part",
        ["ShapeMismatchException.ctor(detail)"] = "message part",
        ["OnnxExportException.ctor(message)"] = "the message",
        ["UnsupportedTreeNodeException.ctor(what)"] = "message part",
        ["UnsupportedTreeNodeException.ctor(instead)"] = "message part",
        // Labels that only name the caller in an error message.
        ["Shape.NormalizeAxis(op)"] = "names the op in the message only",
        ["RecurrentRegularisation.Check(command)"] = "names the command in the message only",
        ["CsvTable.Parse(source)"] = "names the text in error messages only",
        // Generic folds and diagnostics.
        ["Sequence.Scan(initial)"] = "a fold's state is the caller's: null may be a valid one (F#'s None is null)",
        ["Sequence.Paths(initialState)"] = "a diagnostic: arguments that do not fit (null included) get a path saying so; Unroll throws",
        // Display: the .NET Interactive formatter protocol.
        ["Html.Encode(text)"] = "as WebUtility.HtmlEncode: null in, null out",
        ["Formatter.Format(instance)"] = "a formatter declines (returns false) a value it does not handle, null included",
        ["Formatter.ctor(mimeType)"] = "built by FormatterSource.CreateTypeFormatters only, from constants",
        ["Formatter.ctor(format)"] = "built by FormatterSource.CreateTypeFormatters only, from constants",
        ["TypeFormatterSourceAttribute.ctor(formatterSourceType)"] = "an attribute argument: a typeof, never null",
    };

    /// <summary>
    /// Members that do not yet refuse a null item of a collection argument by name (a NullReferenceException, or the
    /// collection's or an inner name). Null items are a second tier of the promise; these are known and reported (the sweep
    /// prints them as KnownGap) rather than failed, so that the null-item checks the library has stay guarded: a member
    /// not listed here must name the item ("sources[1]") or its collection. Fixing one means removing it here.
    /// </summary>
    public static readonly IReadOnlySet<string> NullItemGaps = new HashSet<string>
    {
        "DepthGatedLstm.Output(state[last])",
        "Ops.Custom(inputs[last])",
        "Ops.CustomMany(inputs[last])",
        "Ops.CustomMany(values[last])",
        "ParameterTree.Unflatten(leaves[last])",
        "PyTorchModel.GruFromStateDict(stateDict[last])",
        "PyTorchModel.LstmFromStateDict(stateDict[last])",
        "PyTorchModel.RnnFromStateDict(stateDict[last])",
        "PyTorchProjectionLstmWeights.FromStateDict(stateDict[last])",
        "PyTorchRnnWeights.FromStateDict(stateDict[last])",
        "RecurrentLayers.Of(forward[last])",
        "SafeTensors.Save(tensors[last])",
        "ShapeMismatchException.ctor(shapes[last])",
        "Tensor.FromRows(rows[last])",
        "Trainer.Fit(train[last])",
        "Trainer.Fit(validation[last])",
        "Trainer.FitStepped(train[last])",
        "Trainer.FitStepped(validation[last])",
        "Trainer.FitCarried(train[last])",
        "Trainer.FitCarried(validation[last])",
        "Trainer.FitCarriedStepped(train[last])",
        "Trainer.FitCarriedStepped(validation[last])",
        "Trainer.Evaluate(batches[last])",
    };

    /// <summary>The exported types a sweep row is made for (no interfaces, delegates or enums: nothing of theirs to call).</summary>
    public static IEnumerable<Type> Types() =>
        Library.GetExportedTypes()
            // Only the library's own namespaces: a mutation tester adds public types of its own (Stryker's MutantControl).
            .Where(t => t.Namespace is { } ns && (ns == "AutoGradRnn" || ns.StartsWith("AutoGradRnn.", StringComparison.Ordinal)))
            .Where(t => !t.IsInterface && !t.IsEnum && !typeof(Delegate).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>Every case of one exported type, over both element types where it or its methods are generic.</summary>
    public static IReadOnlyList<NullGuardCase> Run(Type type)
    {
        var cases = new List<NullGuardCase>();
        var seen = new HashSet<string>();
        foreach (var n in new[] { typeof(double), typeof(float) })
        {
            var samples = new Samples(n);
            Type closed;
            if (type.IsGenericTypeDefinition)
            {
                if (Close(type, n) is not { } c) { cases.Add(new(Name(type), "*", NullGuardOutcome.Unbuildable, $"cannot close over {n.Name}")); continue; }
                closed = c;
            }
            else closed = type;
            foreach (var member in Members(closed))
            {
                var method = member;
                if (member is MethodInfo { IsGenericMethodDefinition: true } g)
                {
                    if (CloseMethod(g, n) is not { } m) { cases.Add(new(Label(type, member, n), "*", NullGuardOutcome.Unbuildable, "cannot close the method")); continue; }
                    method = m;
                }
                else if (!type.IsGenericTypeDefinition && n != typeof(double)) continue;   // nothing generic: once is enough
                var label = Label(type, member, n);
                if (!seen.Add(label + Signature(method))) continue;
                cases.AddRange(RunMember(type, method, label, samples));
            }
        }
        return cases;
    }

    private static IEnumerable<MethodBase> Members(Type t)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (!t.IsAbstract)
            foreach (var c in t.GetConstructors()) yield return c;
        foreach (var m in t.GetMethods(flags))
        {
            if (m.IsAbstract || m.IsDefined(typeof(CompilerGeneratedAttribute))) continue;   // records' Equals, <Clone>$, PrintMembers, ...
            if (m.IsSpecialName && !m.Name.StartsWith("op_", StringComparison.Ordinal) && m.Name != "get_Item") continue;   // accessors
            if (m.Name is "Equals" or "GetHashCode" or "ToString" or "Deconstruct") continue;
            yield return m;
        }
    }

    private static IEnumerable<NullGuardCase> RunMember(Type type, MethodBase method, string label, Samples samples)
    {
        var parameters = method.GetParameters();
        var nullability = new NullabilityInfoContext();
        object? instance = null;
        bool instanceBuilt = method.IsStatic || method is ConstructorInfo;
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.ParameterType.IsValueType || p.ParameterType.IsByRef || p.IsOut) continue;
            if (DeclaredNullable(p, nullability)) continue;   // declared T?: null is allowed
            var name = p.Name!;
            if (AcceptsNull.ContainsKey($"{Name(type)}.{(method is ConstructorInfo ? "ctor" : method.Name)}({name})"))
            {
                yield return new(label, name, NullGuardOutcome.Skipped, "allow-listed");
                continue;
            }
            if (IsRecordPrimaryConstructor(method))
            {
                // A record is built by `new` and by `with` alike, and `with` runs no constructor: its properties are checked
                // where the record is used (CellChecks.Parameters names the null one), not by its primary constructor.
                yield return new(label, name, NullGuardOutcome.Skipped, "record primary constructor");
                continue;
            }
            if (!instanceBuilt)
            {
                if (!samples.TryMake(method.DeclaringType!, "this", out instance))
                {
                    yield return new(label, name, NullGuardOutcome.Unbuildable, $"no instance of {TypeName(method.DeclaringType!)}");
                    continue;
                }
                instanceBuilt = true;
            }
            var args = new object?[parameters.Length];
            string? missing = null;
            for (int j = 0; j < parameters.Length && missing is null; j++)
            {
                if (j == i) continue;
                var q = parameters[j];
                if (q.HasDefaultValue) args[j] = q.DefaultValue;
                else if (samples.TryMake(q.ParameterType, SampleName(method, q), out var value)) args[j] = value;
                else missing = $"no sample for {q.Name} ({TypeName(q.ParameterType)})";
            }
            if (missing is not null) { yield return new(label, name, NullGuardOutcome.Unbuildable, missing); continue; }
            yield return Invoke(method, instance, args, label, name, nested: false);
            if (WithNullItem(p, nullability, args, i, samples) is { } withNull)
                yield return Invoke(method, instance, withNull, label, name, nested: true);
        }
    }

    /// <summary>
    /// For a collection parameter whose items are declared non-nullable (an array or a read-only list): the arguments
    /// with its sample collection holding a null as its last item, else null.
    /// </summary>
    private static object?[]? WithNullItem(ParameterInfo p, NullabilityInfoContext context, object?[] args, int i, Samples samples)
    {
        var type = p.ParameterType;
        var info = context.Create(p);
        var item = type.IsArray ? info.ElementType
            : type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IReadOnlyList<>) || d == typeof(IEnumerable<>))
                ? info.GenericTypeArguments[0] : null;
        if (item is null || item.Type.IsValueType || item.WriteState == NullabilityState.Nullable || item.ReadState == NullabilityState.Nullable) return null;
        if (!samples.TryMake(type, p.Name!, out var sample) || sample is not Array array || array.Length == 0) return null;
        var copy = (Array)array.Clone();
        copy.SetValue(null, copy.Length - 1);
        var result = (object?[])args.Clone();
        result[i] = copy;
        return result;
    }

    /// <summary>The sample name of a parameter whose valid value depends on the member, not only on its own name.</summary>
    private static string SampleName(MethodBase method, ParameterInfo p) => (method.Name, p.Name) switch
    {
        ("CrossEntropy", "mask") => "rowmask",   // one weight per row of logits
        _ => p.Name!,
    };

    private static NullGuardCase Invoke(MethodBase method, object? instance, object?[] args, string label, string name, bool nested)
    {
        // A null item is named by its path: "sources[1]", or the collection's own name.
        var parameter = name;
        bool Names(string? paramName) => paramName == parameter || nested && paramName is { } n &&
            (n.StartsWith(parameter + "[", StringComparison.Ordinal) || n.StartsWith(parameter + ".", StringComparison.Ordinal));
        if (nested) name += "[last]";
        Exception? thrown = null;
        try
        {
            if (method is ConstructorInfo c) c.Invoke(args);
            else method.Invoke(instance, args);
        }
        catch (TargetInvocationException e) { thrown = e.InnerException; }
        catch (Exception e) { thrown = e; }
        var outcome = thrown switch
        {
            null => new NullGuardCase(label, name, NullGuardOutcome.Failed, "no exception"),
            ArgumentNullException a when Names(a.ParamName) => new(label, name, NullGuardOutcome.Guarded, a.GetType().Name),
            // Another argument error naming the parameter is how a dropped guard shows: null read as empty ("the text is empty").
            ArgumentException a when Names(a.ParamName) => new(label, name, NullGuardOutcome.Failed, $"{a.GetType().Name}, not ArgumentNullException: {FirstLine(a.Message)}"),
            ArgumentNullException a => new(label, name, NullGuardOutcome.Failed, $"ArgumentNullException names '{a.ParamName}'"),
            NullReferenceException e => new(label, name, NullGuardOutcome.Failed, $"NullReferenceException at {Where(e)}"),
            ArgumentException a when a.GetType() == typeof(ArgumentException) && a.ParamName is not null =>
                new(label, name, NullGuardOutcome.Failed, $"ArgumentException names '{a.ParamName}': {FirstLine(a.Message)}"),
            _ => new(label, name, NullGuardOutcome.NotCheckable, $"{thrown.GetType().Name}: {FirstLine(thrown.Message)}"),
        };
        var key = $"{Name(method.DeclaringType!)}.{(method is ConstructorInfo ? "ctor" : method.Name)}({name})";
        return outcome.Outcome == NullGuardOutcome.Failed && nested && NullItemGaps.Contains(key)
            ? outcome with { Outcome = NullGuardOutcome.KnownGap } : outcome;
    }

    /// <summary>
    /// Whether the parameter is declared nullable. NullabilityInfoContext reports an unconstrained generic parameter's
    /// <c>T</c> as nullable (T may be a nullable type), so for those the compiler's own annotation decides: <c>T?</c> only.
    /// </summary>
    private static bool DeclaredNullable(ParameterInfo p, NullabilityInfoContext context)
    {
        var definition = (MethodBase)p.Member.Module.ResolveMethod(p.Member.MetadataToken)!;
        if (!definition.GetParameters()[p.Position].ParameterType.IsGenericParameter)
            return context.Create(p).WriteState == NullabilityState.Nullable;
        return (NullableFlag(p.GetCustomAttributesData(), "NullableAttribute")
                ?? NullableFlag(definition.GetCustomAttributesData(), "NullableContextAttribute")
                ?? ContextOf(definition.DeclaringType)) == 2;   // 2: annotated (T?)

        static int ContextOf(Type? t) => t is null ? 0 : NullableFlag(t.GetCustomAttributesData(), "NullableContextAttribute") ?? ContextOf(t.DeclaringType);
    }

    private static int? NullableFlag(IList<CustomAttributeData> attributes, string name)
    {
        var a = attributes.FirstOrDefault(a => a.AttributeType.FullName == "System.Runtime.CompilerServices." + name);
        return a?.ConstructorArguments[0].Value switch
        {
            byte b => b,
            IReadOnlyList<CustomAttributeTypedArgument> bytes => (byte)bytes[0].Value!,
            _ => null,
        };
    }

    private static bool IsRecordPrimaryConstructor(MethodBase method) =>
        method is ConstructorInfo c && c.DeclaringType!.GetMethod("<Clone>$") is not null &&
        c.GetParameters() is { Length: > 0 } ps &&
        ps.All(p => c.DeclaringType.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance) is not null);

    private static string Where(Exception e) =>
        e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal)) ?? "?";

    private static string FirstLine(string s) => s.Split('\n')[0];

    // ---- closing generics ----

    private static Type Other(Type n) => n == typeof(double) ? typeof(float) : typeof(double);

    /// <summary>The concrete type a generic parameter is closed with, by its name, for element type <paramref name="n"/>.</summary>
    private static Type? Closing(Type parameter, Type n) => parameter.Name switch
    {
        "T" => n,
        "TState" or "TDecoderState" or "TCarry" or "TAux" => typeof(LstmState<>).MakeGenericType(n),
        "TGates" => typeof(LstmGates<>).MakeGenericType(n),
        "TParams" or "TTree" or "TGrads" => typeof(Linear<>).MakeGenericType(n),
        "TBatch" => typeof(SeriesBatch<>).MakeGenericType(n),
        "TInput" => typeof(Tensor<>).MakeGenericType(n),
        "TFrom" or "TIn" => n,
        "TTo" or "TOut" => Other(n),
        "TTreeTo" => typeof(Linear<>).MakeGenericType(Other(n)),
        _ => null,
    };

    private static Type? Close(Type definition, Type n)
    {
        var args = definition.GetGenericArguments().Select(a => Closing(a, n)).ToArray();
        if (args.Any(a => a is null)) return null;
        try { return definition.MakeGenericType(args!); } catch (ArgumentException) { return null; }
    }

    private static MethodInfo? CloseMethod(MethodInfo definition, Type n)
    {
        var args = definition.GetGenericArguments().Select(a => Closing(a, n)).ToArray();
        if (args.Any(a => a is null)) return null;
        try { return definition.MakeGenericMethod(args!); } catch (ArgumentException) { return null; }
    }

    // ---- names ----

    public static string Name(Type t) => t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] : t.Name;

    public static string TypeName(Type t) =>
        t.IsArray ? TypeName(t.GetElementType()!) + "[]"
        : t.IsGenericType ? $"{Name(t)}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>"
        : t.Name;

    private static string Label(Type type, MethodBase member, Type n)
    {
        var generic = type.IsGenericTypeDefinition || member.IsGenericMethod;
        var name = member is ConstructorInfo ? "ctor" : member.Name;
        return $"{Name(type)}.{name}{(generic ? $"[{n.Name}]" : "")}";
    }

    private static string Signature(MethodBase m) => "(" + string.Join(", ", m.GetParameters().Select(p => TypeName(p.ParameterType))) + ")";

    // ---- samples ----

    /// <summary>Valid sample arguments of one small consistent problem over element type <c>N</c>.</summary>
    private sealed class Samples(Type n)
    {
        private readonly Dictionary<(Type, string), object?> cache = [];
        private readonly HashSet<Type> building = [];

        public bool TryMake(Type type, string name, out object? value)
        {
            var key = (type, Key(type, name));
            if (cache.TryGetValue(key, out value)) return value is not null;
            if (!building.Add(type)) { value = null; return false; }   // a cycle: this type needs itself
            try { value = Make(type, name); }
            catch (Exception) { value = null; }
            finally { building.Remove(type); }
            cache[key] = value;
            return value is not null;
        }

        // Only tensors, int arrays and strings are made differently by parameter name.
        private static string Key(Type type, string name) =>
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Tensor<>) || type == typeof(int[]) || type == typeof(string)
                ? name.ToLowerInvariant() : "";

        private object? Make(Type type, string name)
        {
            if (type == typeof(string)) return name.ToLowerInvariant() switch
            {
                "path" => Path.Combine(Path.GetTempPath(), "agr-null-guard-does-not-exist", "file.bin"),
                "text" => "a,b\n1,2\n",
                "characters" => "ab",
                _ => "a",
            };
            if (type == typeof(int[])) return Ints(name);
            if (type.IsArray)
            {
                var element = type.GetElementType()!;
                var array = Array.CreateInstance(element, 2);
                for (int i = 0; i < 2; i++)
                    array.SetValue(TryMake(element, Singular(name), out var item) ? item : throw new InvalidOperationException(), i);
                return array;
            }
            if (type.IsValueType) return Value(type, name);
            if (typeof(Delegate).IsAssignableFrom(type)) return Lambda(type);
            if (type == typeof(object)) return Linear();
            if (type == typeof(Type)) return typeof(object);
            if (type == typeof(TextWriter)) return new StringWriter();
            if (type == typeof(Shape)) return new Shape(B, D);
            if (type == typeof(Rng)) return new Rng(1);
            if (type == typeof(Schedule)) return Schedule.Constant(0.1);
            if (type == typeof(AutodiffTransforms)) return Autodiff.With(new AutodiffOptions());
            if (type == typeof(CsvTable)) return CsvTable.Parse("a,b\n1,2\n", "sample");
            if (type.IsGenericType) return Generic(type.GetGenericTypeDefinition(), type.GetGenericArguments(), type, name);
            return Construct(type);
        }

        private object? Generic(Type def, Type[] args, Type type, string name)
        {
            if (def == typeof(Tensor<>)) return TensorSample(args[0], name);
            if (def == typeof(IReadOnlyList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>) || def == typeof(IList<>))
                return TryMake(args[0].MakeArrayType(), name, out var list) ? list : null;
            if (def == typeof(IReadOnlyDictionary<,>) || def == typeof(IDictionary<,>))
                return Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args));
            if (def == typeof(IProgress<>))
                return Activator.CreateInstance(typeof(ProgressCallback<>).MakeGenericType(args), Lambda(typeof(Action<>).MakeGenericType(args)));
            if (def == typeof(IRecurrentCell<,>) || def == typeof(IGatedCell<,,>)) return Cells().FirstOrDefault(type.IsInstanceOfType);
            if (def == typeof(ISequenceEncoder<>)) return Construct(typeof(RecurrentEncoder<,>).MakeGenericType(typeof(LstmState<>).MakeGenericType(n), n));
            if (def == typeof(Gradients<>)) return GradientsSample();
            if (def == typeof(IOptimizer<>) || def == typeof(Optimizer<>)) return Construct(typeof(Sgd<>).MakeGenericType(n));
            if (def == typeof(LstmState<>) || def == typeof(RnnState<>) || def == typeof(ClockworkState<>) || def == typeof(GridLstmState<>))
                return State(type);
            return Construct(type);
        }

        private object? State(Type stateType)
        {
            var cellType = typeof(IRecurrentCell<,>).MakeGenericType(stateType, n);
            var cell = Cells().FirstOrDefault(cellType.IsInstanceOfType);
            return cell is null ? null : cellType.GetMethod("InitialState")!.Invoke(cell, [B]);
        }

        private List<object>? cells;

        /// <summary>One cell of each kind, input and output width 2, in the order a state or interface sample picks them.</summary>
        private List<object> Cells()
        {
            if (cells is not null) return cells;
            cells = [];
            foreach (var def in new[] { typeof(Lstm<>), typeof(Gru<>), typeof(GruResetAfter<>), typeof(Rnn<>), typeof(CoupledLstm<>), typeof(PeepholeLstm<>),
                typeof(LayerNormLstm<>), typeof(ProjectionLstm<>), typeof(GridLstm<>), typeof(DepthGatedLstm<>), typeof(ClockworkRnn<>) })
                if (Construct(def.MakeGenericType(n)) is { } cell) cells.Add(cell);
            return cells;
        }

        private object? GradientsSample() =>
            typeof(Samples).GetMethod(nameof(Backward), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(n).Invoke(null, []);

        private static Gradients<T> Backward<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var tape = new Tape<T>();
            var x = tape.Track(Tensor.Ones<T>(B, D));
            return tape.Backward(Ops.Sum(x * x));
        }

        private object Linear() => Construct(typeof(Linear<>).MakeGenericType(n))!;

        /// <summary>A library type from its static Create or Of (on it, or on a non-generic class of the same name), else its widest buildable constructor.</summary>
        private object? Construct(Type type)
        {
            var factories = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(m => m.Name is "Create" && m.ReturnType == type && !m.IsGenericMethodDefinition).ToList();
            if (type.IsGenericType && Library.GetType($"{type.Namespace}.{Name(type)}") is { } companion)
                factories.AddRange(companion.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .Where(m => m.Name is "Create" && m.IsGenericMethodDefinition)
                    .Select(m => CloseMethod(m, n)).Where(m => m is not null && m.ReturnType == type)!);
            foreach (var f in factories.OrderBy(f => f.GetParameters().Length))
                if (Call(f) is { } made) return made;
            if (type.IsAbstract) return null;
            foreach (var c in type.GetConstructors().OrderBy(c => c.GetParameters().Length))
                if (Call(c) is { } made) return made;
            return null;
        }

        private object? Call(MethodBase m)
        {
            var ps = m.GetParameters();
            var args = new object?[ps.Length];
            for (int i = 0; i < ps.Length; i++)
            {
                if (ps[i].HasDefaultValue) args[i] = ps[i].DefaultValue;
                else if (TryMake(ps[i].ParameterType, ps[i].Name!, out var v)) args[i] = v;
                else return null;
            }
            try { return m is ConstructorInfo c ? c.Invoke(args) : m.Invoke(null, args); }
            catch (TargetInvocationException) { return null; }
        }

        private static object TensorSample(Type element, string name)
        {
            int[] shape = name.ToLowerInvariant() switch
            {
                "result" => [1],   // what a sample lambda returns: a loss is a scalar
                "inputs" or "values" or "keys" => [B, Time, D],
                "mask" => [B, Time],
                "rowmask" => [B],
                "series" => [8, D],
                "table" => [3, D],
                "b" or "bias" or "gain" or "v" or "bf" or "bi" or "bc" or "bo" or "bz" or "br" => [D],
                _ => [B, D],
            };
            var count = shape.Aggregate(1, (a, b) => a * b);
            var fill = name.EndsWith("mask", StringComparison.OrdinalIgnoreCase) ? 1.0 : 0.5;
            var values = Array.CreateInstance(element, count);
            for (int i = 0; i < count; i++) values.SetValue(Convert.ChangeType(fill, element), i);
            return typeof(Tensor).GetMethods().Single(m => m.Name == "FromArray" && m.GetParameters() is [_, { ParameterType.IsArray: true }])
                .MakeGenericMethod(element).Invoke(null, [values, shape])!;
        }

        private static int[] Ints(string name) => name.ToLowerInvariant() switch
        {
            "shape" or "dims" => [B, D],
            "lengths" => [Time, Time],
            "periods" => [1, 2],
            "modulesizes" => [1, 1],
            "sizes" => [1, 1],
            _ => [0, 1],
        };

        private object? Value(Type type, string name)
        {
            if (type == n) return Convert.ChangeType(0.5, n);
            if (type == typeof(int) || type == typeof(long))
            {
                int v = name switch
                {
                    "inputSize" or "hiddenSize" or "projectionSize" or "embedding" or "hidden" or "attention" => D,
                    "sourceVocabulary" or "targetVocabulary" or "depth" => 3,
                    "layers" or "numLayers" or "modules" => 2,
                    "axis" or "column" or "targetColumn" or "targetFrom" or "index" or "start" or "layer" or "padding" => 0,
                    "window" => 2,
                    "steps" => Time,
                    "trainEnd" => 4,
                    _ => 1,
                };
                return type == typeof(int) ? v : (object)(long)v;
            }
            if (type == typeof(double)) return 0.5;
            if (type == typeof(float)) return 0.5f;
            if (type.IsEnum) return Enum.GetValues(type).GetValue(0);
            if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple", StringComparison.Ordinal))
            {
                var items = type.GetGenericArguments().Select(a => TryMake(a, "result", out var v) ? v : throw new InvalidOperationException()).ToArray();
                return Activator.CreateInstance(type, items);
            }
            return Activator.CreateInstance(type);
        }

        /// <summary>A delegate returning a sample of its return type (its arguments ignored).</summary>
        private Delegate Lambda(Type delegateType)
        {
            var invoke = delegateType.GetMethod("Invoke")!;
            var ps = invoke.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
            Expression body = invoke.ReturnType == typeof(void) ? Expression.Empty()
                : Expression.Constant(TryMake(invoke.ReturnType, "result", out var r) ? r : null, invoke.ReturnType);
            return Expression.Lambda(delegateType, body, ps).Compile();
        }

        private static string Singular(string name) => name.EndsWith('s') ? name[..^1] : name;
    }
}
