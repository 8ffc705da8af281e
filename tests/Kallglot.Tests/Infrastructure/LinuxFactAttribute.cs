namespace Kallglot.Tests.Infrastructure;

/// <summary>A test that reads what Linux says about the process (/proc); skipped elsewhere, with that reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "reads the thread's scheduling from Linux's /proc";
        }
    }
}
