using Kallglot.Benchmarks.Harness;

namespace Kallglot.Benchmarks.Measurements;

/// <summary>
/// Median time Import-Module adds to a cold pwsh start, against a bare start measured alternately in the same run; and the
/// same pair where the session prints one line, because a module with format data makes PowerShell load its own format
/// tables at import, which a session that prints anything otherwise loads on its first output.
/// </summary>
internal static class ImportMeasurement
{
    public static IEnumerable<BenchmarkRow> Run(BenchmarkContext context, int runs = 9)
    {
        var bare = new List<double>();
        var imported = new List<double>();
        var barePrinting = new List<double>();
        var importedPrinting = new List<double>();
        var import = $"Import-Module '{context.ModulePath}'";
        const string PrintOneLine = "Get-Item / | Out-Host";
        context.PowerShell.TimeCommand("exit");
        for (var i = 0; i < runs; i++)
        {
            bare.Add(context.PowerShell.TimeCommand("exit").TotalMilliseconds);
            imported.Add(context.PowerShell.TimeCommand($"{import}; exit").TotalMilliseconds);
            barePrinting.Add(context.PowerShell.TimeCommand($"{PrintOneLine}; exit").TotalMilliseconds);
            importedPrinting.Add(context.PowerShell.TimeCommand($"{import}; {PrintOneLine}; exit").TotalMilliseconds);
        }
        var added = Percentiles.Median(imported) - Percentiles.Median(bare);
        var addedPrinting = Percentiles.Median(importedPrinting) - Percentiles.Median(barePrinting);
        yield return new BenchmarkRow("Import-Module, added to a cold pwsh start (median of " + runs + ")",
            $"{Percentiles.Median(imported):0} ms", $"{Percentiles.Median(bare):0} ms bare",
            $"{added:+0;-0} ms", "<= 150 ms added", added <= 150,
            "most of it is PowerShell loading its own format tables, which a module with format data makes it do at import instead of at the session's first output (next row)");
        yield return new BenchmarkRow("Import-Module, added to a cold pwsh start that prints one line (median of " + runs + ")",
            $"{Percentiles.Median(importedPrinting):0} ms", $"{Percentiles.Median(barePrinting):0} ms bare, printing",
            $"{addedPrinting:+0;-0} ms", "(reported)", true,
            "both print `Get-Item /` to the host: a session that prints anything loads PowerShell's format tables once, with or without the module");
    }
}
