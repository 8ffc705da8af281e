<#
.SYNOPSIS
    The README's demo: plays examples/sample-call.wav through the Kallglot emulator and prints the
    live transcript and translation as they arrive; saves the translated audio and the transcript.
    build.ps1 -Task Demo runs it against the freshly built module.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/Kallglot/Kallglot.psd1'),
    [string] $OutputDirectory = (Join-Path $PSScriptRoot '../out/demo')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$OutputDirectory = [System.IO.Path]::GetFullPath($OutputDirectory)
$null = New-Item -ItemType Directory -Force $OutputDirectory
$translatedAudio = Join-Path $OutputDirectory 'translated.wav'
$transcriptPath = Join-Path $OutputDirectory 'transcript.csv'

# The emulator answers with the sample's own words and translations, and ends the session once the
# call has been quiet for 2 s, as a real call ends when the caller hangs up.
$emulator = Start-KallglotEmulator -Connect -ScriptPath (Join-Path $PSScriptRoot 'sample-script.json') -IdleTimeoutSeconds 2
try {
    Write-Host "Kallglot emulator at $($emulator.BaseUri)" -ForegroundColor DarkGray
    $session = New-KallglotSession -PhoneNumber '+14155550100' -SourceLanguage en -TargetLanguage es
    # The session's own table view: id, status, provider, languages, token expiry, credits, in 80 columns.
    $session | Out-Host

    # The one-liner: the file plays in the background of the stream while events print live.
    $finals = $session | Connect-KallglotStream |
        Send-KallglotAudio -Path (Join-Path $PSScriptRoot 'sample-call.wav') -Speaker caller -Background |
        # -Force: the demo replaces its own output of an earlier run.
        Receive-KallglotStream -Wait -TimeoutSec 60 -AudioOutputPath $translatedAudio -Force |
        ForEach-Object {
            $streamEvent = $_
            switch ($streamEvent.Type) {
                'session.ready' { Write-Host 'Stream ready; playing examples/sample-call.wav (11 s)...' -ForegroundColor Cyan }
                'transcript.partial' { Write-Host "  ...  $($streamEvent.Speaker): $($streamEvent.Text)" -ForegroundColor DarkGray }
                'transcript.final' {
                    Write-Host "  [$($streamEvent.Speaker)] $($streamEvent.Text)" -ForegroundColor White
                    Write-Host "     -> $($streamEvent.TranslationText)" -ForegroundColor Green
                    $streamEvent
                }
                'session.ended' { Write-Host "Session ended: $($streamEvent.Reason)" -ForegroundColor Cyan }
            }
        }

    $finals | Select-Object ReceivedAt, Speaker, Text, TranslationText | Export-Csv -Path $transcriptPath -NoTypeInformation
    Write-Host "Transcript saved: $transcriptPath ($(@($finals).Count) lines)" -ForegroundColor Cyan
    Write-Host "Translated audio saved: $translatedAudio ($((Get-Item $translatedAudio).Length) bytes)" -ForegroundColor Cyan
}
finally {
    $emulator | Stop-KallglotEmulator
}
