namespace AutoGradRnn.Tests;

/// <summary>Damages a real safetensors file on purpose: one edit of its metadata and tensors, written back in place.</summary>
public static class SafeTensorsEdit
{
    public static void Apply(string path, Action<Dictionary<string, string>, List<NamedTensor<double>>> edit)
    {
        var contents = SafeTensors.Load<double>(path);
        var meta = contents.Metadata.ToDictionary(k => k.Key, k => k.Value);
        var tensors = contents.Tensors.ToList();
        edit(meta, tensors);
        SafeTensors.Save(path, tensors, meta);
    }
}
