using System.Diagnostics;
using System.Security;

namespace Kallglot.PowerShell.Emulator;

/// <summary>A running emulator of the Kallglot API, started by Start-KallglotEmulator on a free loopback port.</summary>
public sealed class KallglotEmulator
{
    private readonly Process _process;
    private readonly object _lifetime = new();
    private bool _released;

    internal KallglotEmulator(Process process, Uri baseUri, SecureString apiKey)
    {
        _process = process;
        // Kept: the process object is released when the emulator stops, and a stopped emulator still shows its id.
        ProcessId = process.Id;
        BaseUri = baseUri;
        ApiKey = apiKey;
        StartedAt = DateTimeOffset.Now;
    }

    /// <summary>The emulator's endpoint; pass it to Connect-Kallglot -BaseUri.</summary>
    public Uri BaseUri { get; }

    /// <summary>A key the emulator accepts; pass it to Connect-Kallglot -ApiKey.</summary>
    public SecureString ApiKey { get; }

    /// <summary>The emulator's process id.</summary>
    public int ProcessId { get; }

    /// <summary>When it was started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lifetime)
            {
                if (_released)
                {
                    // Released only once it has exited, or been killed and waited for.
                    return false;
                }
                try
                {
                    return !_process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Stops the emulator: closing its standard input asks it to stop; a process still running after
    /// the grace period, or when <paramref name="cancellationToken"/> fires (Ctrl+C), is killed at once.
    /// </summary>
    internal async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!IsRunning)
        {
            Release();
            return;
        }
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The pipe is already gone: the kill below still ends it.
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        Release();
    }

    /// <summary>Ends the process and its children now, and waits for it to be gone.</summary>
    internal void Kill()
    {
        // Ctrl+C calls this from the stop itself while the stop's own wait may be ending: one at a time, and never on a
        // released process, whose wait would return at once and leave the process running behind a stop that returned.
        lock (_lifetime)
        {
            if (_released)
            {
                return;
            }
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (Exception exception) when (exception is InvalidOperationException or AggregateException or System.ComponentModel.Win32Exception)
            {
                // Already exited, or a child of its tree could not be killed: the wait below still says whether it is gone.
            }
            try
            {
                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    }

    private void Release()
    {
        lock (_lifetime)
        {
            _released = true;
            _process.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => BaseUri.ToString();
}
