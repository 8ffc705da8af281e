using System.Collections.Concurrent;
using System.Management.Automation;
using Kallglot.Errors;
using Kallglot.PowerShell.Errors;

namespace Kallglot.PowerShell.Commands;

/// <summary>
/// What every network cmdlet shares: a cancellation source made in BeginProcessing, cancelled by
/// StopProcessing (Ctrl+C) and disposed in EndProcessing; and a way to wait for background work
/// while writing its messages from the pipeline thread, the only thread allowed to write.
/// </summary>
public abstract class KallglotCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<string> _verboseLines = new();
    private ProgressRecord? _latestProgress;
    private readonly SemaphoreSlim _verboseSignal = new(0);
    // No spinning before it sleeps: on two cores a spinning pipeline thread takes the CPU from the receive loop that would wake it.
    private readonly ManualResetEventSlim _woken = new(false, spinCount: 0);
    // One wait for the next queued line, kept across Await calls until a line ends it: a wait left behind by an operation
    // that finished first would otherwise take the next signal, and the lines of the next operation would wait for its end.
    private Task? _signalled;
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken PipelineStopToken => _stopping.Token;

    /// <summary>Queues a verbose line from any thread; the pipeline thread writes it out.</summary>
    protected void QueueVerbose(string line)
    {
        _verboseLines.Enqueue(line);
        Signal();
    }

    private void Signal()
    {
        try
        {
            _verboseSignal.Release();
        }
        catch (ObjectDisposedException)
        {
            // The command has ended: nobody is left to write the line.
        }
    }

    /// <summary>Queues a progress report from any thread; only the latest is written, by the pipeline thread.</summary>
    protected void QueueProgress(ProgressRecord progress)
    {
        Interlocked.Exchange(ref _latestProgress, progress);
        Signal();
    }

    /// <summary>Writes out what background work queued; call only from the pipeline thread.</summary>
    protected void FlushVerbose()
    {
        while (_verboseLines.TryDequeue(out var line))
        {
            WriteVerbose(line);
        }
        if (Interlocked.Exchange(ref _latestProgress, null) is { } progress)
        {
            WriteProgress(progress);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> and blocks the pipeline thread until it ends, writing its
    /// verbose lines as they come. Its errors become terminating ErrorRecords on <paramref name="target"/>.
    /// </summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation, object? target)
    {
        Task<T> task;
        try
        {
            task = operation(PipelineStopToken);
        }
        catch (KallglotException exception)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(exception, target));
            throw;
        }
        while (!task.IsCompleted)
        {
            if (PipelineStopToken.IsCancellationRequested)
            {
                // The operation observes the same token and ends on its own; its outcome no longer matters.
                task.ContinueWith(static finished => _ = finished.Exception, TaskScheduler.Default);
                throw new PipelineStoppedException();
            }
            _signalled ??= _verboseSignal.WaitAsync(PipelineStopToken);
            // Returns on Ctrl+C too (the wait is cancelled, not thrown): handled at the top of the loop.
            Task.WaitAny(task, _signalled);
            if (_signalled.IsCompleted)
            {
                _signalled = null;
            }
            FlushVerbose();
        }
        FlushVerbose();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KallglotException exception)
        {
            ThrowTerminatingError(ErrorRecordFactory.From(exception, target));
            throw;
        }
        catch (Exception exception) when (exception is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorRecordFactory.Unexpected(exception, target));
            throw;
        }
    }

    /// <summary>
    /// Blocks the pipeline thread until <paramref name="pending"/> completes and gives its result (or
    /// throws its exception). Unlike a task's own wait, it sleeps at once instead of spinning first.
    /// </summary>
    protected T Block<T>(ValueTask<T> pending)
    {
        if (!pending.IsCompleted)
        {
            _woken.Reset();
            // Not through the pipeline thread's synchronization context: it is the thread blocked here.
            pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_woken.Set);
            _woken.Wait();
        }
        return pending.GetAwaiter().GetResult();
    }

    /// <summary>Writes a non-terminating error for a core exception.</summary>
    protected void WriteKallglotError(KallglotException exception, object? target) => WriteError(ErrorRecordFactory.From(exception, target));

    /// <summary>Throws a terminating error for a core exception.</summary>
    protected void ThrowKallglotError(KallglotException exception, object? target) => ThrowTerminatingError(ErrorRecordFactory.From(exception, target));

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <inheritdoc />
    protected override void EndProcessing() => FlushVerbose();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cancellation source; PowerShell calls Dispose when the command ends, stopped or not.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            // A command ended by an error (-ErrorAction Stop) is disposed without StopProcessing: what it started stops too.
            _stopping.Cancel();
            _stopping.Dispose();
            _verboseSignal.Dispose();
            _woken.Dispose();
        }
        _disposed = true;
    }
}
