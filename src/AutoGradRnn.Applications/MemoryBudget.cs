using System.Globalization;

namespace AutoGradRnn.Applications;

/// <summary>
/// Checks an application's sizes before it allocates: an array past <see cref="Array.MaxLength"/>, or a run needing more
/// memory than the machine has, becomes one message naming the command-line flag to lower, instead of an overflow,
/// an element count deep in a tensor, or the machine swapping for an hour.
/// </summary>
internal static class MemoryBudget
{
    /// <summary>Bytes this process may use (honours container limits).</summary>
    internal static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws unless <paramref name="elements"/> values fit in one array; <paramref name="what"/> says what makes them.</summary>
    internal static void Array(string command, string what, double elements, string lower)
    {
        if (elements > System.Array.MaxLength)
            throw new ArgumentOutOfRangeException(lower, $"{command}: {what} {elements.ToString("N0", CultureInfo.InvariantCulture)} values, more than an array can hold ({System.Array.MaxLength.ToString("N0", CultureInfo.InvariantCulture)}); lower {lower}");
    }

    /// <summary>Throws unless <paramref name="bytes"/> fit in the memory available; <paramref name="what"/> says what needs them.</summary>
    internal static void Require(string command, string what, double bytes, string lower)
    {
        long available = Available;
        if (bytes > available)
            throw new ArgumentOutOfRangeException(lower, $"{command}: {what} need about {Size(bytes)} of memory, more than the {Size(available)} available; lower {lower}");
    }

    /// <summary>
    /// A stack of <paramref name="layers"/> recurrent layers (at most four gate matrices [in+H, H] each) and a linear head,
    /// trained with Adam on <paramref name="positions"/> (batch × steps) at a time: weights, gradients, Adam's two moments
    /// and the update's temporaries (24 bytes a parameter), and about 24 floats of activations and their gradients per
    /// hidden unit, layer and position. An estimate, but one that errs high only by a small factor.
    /// </summary>
    internal static void RecurrentModel(string command, int inputs, int hidden, int layers, int outputs, double positions, string lower)
    {
        double h = hidden, first = (inputs + h) * h;
        Array(command, $"--hidden {hidden}: the weight matrix [{inputs + h},{h}] has", first, "--hidden");
        double parameters = 4 * (first + h) + (layers - 1) * 4 * (2 * h * h + h) + h * outputs + outputs;
        double bytes = 24 * parameters + 4 * 24 * h * layers * positions;
        Require(command, $"{parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters and the activations of {positions.ToString("N0", CultureInfo.InvariantCulture)} positions a step", bytes, lower);
    }

    /// <summary>Bytes in the unit that reads best: "512 MB", "25.6 GB".</summary>
    internal static string Size(double bytes) => bytes switch
    {
        < 1e6 => $"{(bytes / 1e3).ToString("0.#", CultureInfo.InvariantCulture)} kB",
        < 1e9 => $"{(bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture)} MB",
        < 1e12 => $"{(bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture)} GB",
        _ => $"{(bytes / 1e12).ToString("0.#", CultureInfo.InvariantCulture)} TB",
    };
}
