namespace AutoGradRnn;

// Stand-ins for the lead's OnnxExportOptions and OnnxExportException (same names and members), so this branch builds on
// its own; at merge the lead's definitions replace this file.

/// <summary>What an exported ONNX graph takes besides its input.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Also take which steps are real (padding handled as in our masked unrolls).</summary>
    public bool SequenceLengths { get; init; }

    /// <summary>Also take the initial state (else the zero state).</summary>
    public bool InitialState { get; init; }

    /// <summary>String metadata written into the model.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A model that cannot be exported to ONNX; the message names the cell, layer or value and what to do.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>An export failure with its one-line message.</summary>
    public OnnxExportException(string message) : base(message) { }
}
