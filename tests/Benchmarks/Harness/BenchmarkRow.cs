namespace Kallglot.Benchmarks.Harness;

/// <summary>One line of the results table: the module's figure, its baseline measured in the same run, the ratio, the target.</summary>
internal sealed record BenchmarkRow(string Measurement, string Module, string Baseline, string Ratio, string Target, bool Met, string Notes = "");
