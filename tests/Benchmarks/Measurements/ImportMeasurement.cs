using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>Median time Import-Module adds to a cold pwsh start, against a bare start measured alternately in the same run.</summary>
internal static class ImportMeasurement
{
    public static BenchmarkRow Run(BenchmarkContext context, int runs = 9)
    {
        var bare = new List<double>();
        var imported = new List<double>();
        var import = $"Import-Module '{context.ModulePath}'; exit";
        context.PowerShell.TimeCommand("exit");
        for (var i = 0; i < runs; i++)
        {
            bare.Add(context.PowerShell.TimeCommand("exit").TotalMilliseconds);
            imported.Add(context.PowerShell.TimeCommand(import).TotalMilliseconds);
        }
        var added = Percentiles.Median(imported) - Percentiles.Median(bare);
        return new BenchmarkRow("Import-Module, added to a cold pwsh start (median of " + runs + ")",
            $"{Percentiles.Median(imported):0} ms", $"{Percentiles.Median(bare):0} ms bare",
            $"+{added:0} ms", "<= 150 ms added", added <= 150);
    }
}
