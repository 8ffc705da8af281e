<#
.SYNOPSIS
Runs a batch of calls at once in this PowerShell session and returns one summary per call.

.DESCRIPTION
The unit of work that docs/scaling.md spreads over threads (Start-ThreadJob), processes
(Start-Job) and hosts (Invoke-Command). For each call: a session, its stream, and the call's audio
sent in real time in the background; then one Receive-KallglotStream follows every stream at once
until each session has ended (or -MaxCallSeconds passes), and each stream is closed. Every session
and how it ended goes to the session ledger of the process that ran it, so Get-KallglotSession is
the report of the whole batch, however it was spread.

The module must be imported and connected (Connect-Kallglot, or KALLGLOT_API_KEY and
KALLGLOT_BASE_URL in the environment) before this runs.

.PARAMETER Call
The calls: objects with PhoneNumber and AudioPath, and optionally TargetLanguage (Import-Csv rows will do).

.PARAMETER MaxCallSeconds
Stop following the calls after this many seconds; streams still open are closed.

.EXAMPLE
Import-Csv calls.csv | ForEach-Object { $_ } | ./Invoke-KallglotCallBatch.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory, ValueFromPipeline)]
    [object[]] $Call,

    [ValidateRange(1, 86400)]
    [int] $MaxCallSeconds = 3600
)

begin {
    $calls = [System.Collections.Generic.List[object]]::new()
}
process {
    $calls.AddRange($Call)
}
end {
    # Each call keeps its own stream, or the error that stopped it: a call that fails to start is a result of its own,
    # and never takes another call's stream or shifts the pairing of those after it.
    $started = foreach ($entry in $calls) {
        $language = if ($entry.TargetLanguage) { $entry.TargetLanguage } else { 'es' }
        $session = $stream = $null
        try {
            # Before the session, which costs a credit: a call whose audio is missing never starts.
            if (-not (Test-Path -LiteralPath $entry.AudioPath -PathType Leaf)) {
                Write-Error -Message "The audio file '$($entry.AudioPath)' of call $($entry.PhoneNumber) does not exist." -ErrorId 'audio_file_not_found' -Category ObjectNotFound -ErrorAction Stop
            }
            $session = New-KallglotSession -PhoneNumber $entry.PhoneNumber -TargetLanguage $language -ErrorAction Stop
            $stream = $session | Connect-KallglotStream -ErrorAction Stop
            $null = $stream | Send-KallglotAudio -Path $entry.AudioPath -Background -ErrorAction Stop
            [pscustomobject]@{ Call = $entry; Session = $session; Stream = $stream; Failure = $null }
        }
        catch {
            if ($stream) { $stream | Disconnect-KallglotStream }
            [pscustomobject]@{ Call = $entry; Session = $session; Stream = $null; Failure = $_ }
        }
    }
    $streams = @($started | Where-Object Stream | ForEach-Object Stream)
    $finals = @{}
    try {
        if ($streams) {
            Receive-KallglotStream -Stream $streams -Wait -TimeoutSec $MaxCallSeconds -Type 'transcript.final' | ForEach-Object {
                $finals[$_.SessionId] = 1 + [int]$finals[$_.SessionId]
            }
        }
    }
    finally {
        $streams | Disconnect-KallglotStream
    }
    foreach ($call in $started) {
        [pscustomobject]@{
            PSTypeName  = 'Kallglot.CallBatchResult'
            SessionId   = $call.Session.Id
            PhoneNumber = $call.Call.PhoneNumber
            Finals      = if ($call.Stream) { [int]$finals[$call.Stream.SessionId] } else { 0 }
            EndReason   = $call.Stream.EndReason
            Error       = if ($call.Failure) { $call.Failure.FullyQualifiedErrorId } else { $null }
            Worker      = '{0}/{1}' -f [Environment]::MachineName, $PID
        }
    }
}
