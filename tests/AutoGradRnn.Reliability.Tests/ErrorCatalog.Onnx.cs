namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>A tiny trained two-layer LSTM char model and its export: <c>&lt;tmp&gt;/model.safetensors</c> and <c>&lt;tmp&gt;/model.onnx</c>.</summary>
    private static string Onnx(TempDir d, params string[] train)
    {
        var (exit, err) = Repo.RunCli(["train-char", "--text", Text(d), .. Tiny, "--layers", "2", "--out", d.Path, .. train]);
        if (exit != 0) throw new InvalidOperationException(err);
        (exit, err) = Repo.RunCli("export-onnx", "--checkpoint", d.File("model.safetensors"), "--out", d.File("model.onnx"));
        if (exit != 0) throw new InvalidOperationException(err);
        return d.File("model.onnx");
    }

    /// <summary>The exported model's bytes, changed by <paramref name="damage"/>, as <c>&lt;tmp&gt;/bad.onnx</c>.</summary>
    private static string Damaged(TempDir d, Func<byte[], byte[]> damage)
    {
        File.WriteAllBytes(d.File("bad.onnx"), damage(File.ReadAllBytes(Onnx(d))));
        return d.File("bad.onnx");
    }

    /// <summary>E160–E167: ONNX export of a character model and sampling through ONNX Runtime.</summary>
    private static IReadOnlyList<ErrorCase> OnnxCases { get; } =
    [
        new("E160", "onnx", "sample --onnx a file that does not exist", null, d => Cli("sample", "--onnx", d.File("missing.onnx"))),
        new("E161", "onnx", "sample --onnx a file that is not ONNX (a text file)", null, d => Cli("sample", "--onnx", Text(d))),
        new("E162", "onnx", "sample --onnx an .onnx cut in half", null, d => Cli("sample", "--onnx", Damaged(d, b => b[..(b.Length / 2)]))),
        new("E163", "onnx", "sample --onnx an .onnx whose first 64 bytes are overwritten", null, d => Cli("sample", "--onnx", Damaged(d, b => { Array.Fill(b, (byte)0xFF, 0, 64); return b; }))),
        new("E164", "onnx", "sample --onnx an .onnx of another model (OnnxExport.Network: no character-model metadata)", null, d =>
        {
            OnnxExport.Save(OnnxExport.Network(RecurrentLayers<RnnState<float>, float>.Of([Rnn<float>.Create(3, 4, 1)])), d.File("rnn.onnx"));
            Cli("sample", "--onnx", d.File("rnn.onnx"));
        }),
        new("E165", "onnx", "sample with both --onnx and --checkpoint", null, d => Cli("sample", "--onnx", Onnx(d), "--checkpoint", d.File("model.safetensors"))),
        new("E166", "onnx", "sample with neither --onnx nor --checkpoint", null, _ => Cli("sample", "--length", "10")),
        new("E167", "onnx", "export-onnx --out the checkpoint itself", null, d => { Onnx(d); Cli("export-onnx", "--checkpoint", d.File("model.safetensors"), "--out", d.File("model.safetensors")); }),
    ];
}
