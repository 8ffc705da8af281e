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
    $streams = foreach ($entry in $calls) {
        $language = if ($entry.TargetLanguage) { $entry.TargetLanguage } else { 'es' }
        $stream = New-KallglotSession -PhoneNumber $entry.PhoneNumber -TargetLanguage $language | Connect-KallglotStream
        $null = $stream | Send-KallglotAudio -Path $entry.AudioPath -Background
        $stream
    }
    $finals = @{}
    try {
        Receive-KallglotStream -Stream $streams -Wait -TimeoutSec $MaxCallSeconds -Type 'transcript.final' | ForEach-Object {
            $finals[$_.SessionId] = 1 + [int]$finals[$_.SessionId]
        }
    }
    finally {
        $streams | Disconnect-KallglotStream
    }
    for ($i = 0; $i -lt $streams.Count; $i++) {
        [pscustomobject]@{
            PSTypeName  = 'Kallglot.CallBatchResult'
            SessionId   = $streams[$i].SessionId
            PhoneNumber = $calls[$i].PhoneNumber
            Finals      = [int]$finals[$streams[$i].SessionId]
            EndReason   = $streams[$i].EndReason
            Worker      = '{0}/{1}' -f [Environment]::MachineName, $PID
        }
    }
}
