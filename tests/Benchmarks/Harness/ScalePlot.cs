using ScottPlot;

namespace Kallglot.Benchmarks.Harness;

/// <summary>The scale runs as a picture: how CPU, memory, pacing and losses grow with the number of streams, module beside plain C#.</summary>
internal static class ScalePlot
{
    public static void Save(string path, IReadOnlyList<ScalePoint> module, IReadOnlyList<ScalePoint> plain)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(4);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(2, 2);
        Panel(multiplot.GetPlot(0), "CPU per stream-minute", "CPU-s", module, plain, p => p.CpuPerStreamMinute);
        Panel(multiplot.GetPlot(1), "Working set per stream", "MB", module, plain, p => p.WorkingSetPerStreamMb);
        Panel(multiplot.GetPlot(2), "Pacing deviation p99", "ms", module, plain, p => p.PacingP99Ms);
        Panel(multiplot.GetPlot(3), "Events lost", "events", module, plain, p => p.EventsLost);
        multiplot.SavePng(path, 1200, 800);
    }

    private static void Panel(Plot plot, string title, string unit, IReadOnlyList<ScalePoint> module, IReadOnlyList<ScalePoint> plain, Func<ScalePoint, double> value)
    {
        var moduleLine = plot.Add.Scatter(module.Select(p => (double)p.Streams).ToArray(), module.Select(value).ToArray());
        moduleLine.LegendText = "module (pwsh)";
        var plainLine = plot.Add.Scatter(plain.Select(p => (double)p.Streams).ToArray(), plain.Select(value).ToArray());
        plainLine.LegendText = "plain C# loop";
        plot.Title(title);
        plot.XLabel("concurrent streams");
        plot.YLabel(unit);
        plot.Axes.SetLimitsY(0, Math.Max(1e-3, module.Concat(plain).Max(value)) * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
