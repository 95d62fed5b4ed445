namespace AutoGradRnn;

/// <summary>
/// Thrown when a model cannot be written as ONNX exactly: the message names the cell, layer or setting, and what to do
/// instead (for example, the traced export for a cell ONNX has no operator for).
/// </summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public OnnxExportException(string message) : base(message) { }
}
