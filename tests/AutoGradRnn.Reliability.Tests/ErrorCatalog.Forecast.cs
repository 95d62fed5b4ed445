using System.Globalization;

namespace AutoGradRnn.Reliability.Tests;

public static partial class ErrorCatalog
{
    /// <summary>E150–E159: forecasting settings that do not fit the series (test period, horizons, periods).</summary>
    private static IReadOnlyList<ErrorCase> ForecastCases { get; } =
    [
        new("E150", "forecast", "a series too short for the default test period, validation and one period of history", typeof(ArgumentException),
            d => Forecasting.Run(Plain(d, 200), new ForecastOptions { Periods = [24], Epochs = 1 })),
        new("E151", "forecast", "--test-length that is not a whole number of horizons (it would be rounded, shifting every origin)", typeof(ArgumentException),
            d => Forecasting.Run(Plain(d, 400), new ForecastOptions { Periods = [24], TestLength = 50, Epochs = 1 })),
        new("E152", "forecast", "both --test-fraction and --test-length", typeof(ArgumentException),
            d => Forecasting.Run(Plain(d, 400), new ForecastOptions { Periods = [24], TestFraction = 0.2, TestLength = 48, Epochs = 1 })),
        new("E153", "forecast", "--periods 0,24 (period 1 is the lag-1 naive; 0 is nothing)", typeof(ArgumentOutOfRangeException),
            d => Forecasting.Run(Plain(d, 400), new ForecastOptions { Periods = [0, 24], Epochs = 1 })),
    ];

    /// <summary>A CSV "v" of <paramref name="rows"/> values of a daily cycle of 24 steps, without a time column.</summary>
    private static string Plain(TempDir dir, int rows) =>
        Write(dir, "plain.csv", "v\n" + string.Concat(Enumerable.Range(0, rows).Select(t => string.Create(CultureInfo.InvariantCulture, $"{100 + 10 * Math.Sin(2 * Math.PI * t / 24)}\n"))));
}
