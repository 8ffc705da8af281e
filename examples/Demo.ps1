<#
.SYNOPSIS
    The README's demo: starts the emulator, creates a session, opens its stream and prints what arrives.
    build.ps1 -Task Demo runs it against the freshly built module.
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/Kallglot/Kallglot.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$emulator = Start-KallglotEmulator -Connect
try {
    Write-Host "Emulator running at $($emulator.BaseUri)" -ForegroundColor Cyan

    $session = New-KallglotSession -PhoneNumber '+14155550100' -SourceLanguage en -TargetLanguage es
    Write-Host 'Session created:' -ForegroundColor Cyan
    $session | Format-List Id, Status, Provider, Routing, SourceLanguage, TargetLanguage, StreamUrl, TokenExpiresAt, CreditsRemaining, CreditsUsed | Out-Host

    $stream = $session | Connect-KallglotStream
    Write-Host "Stream open: $stream" -ForegroundColor Cyan
    Receive-KallglotStream $stream | Format-Table Type, SessionId, ReceivedAt | Out-Host
    $stream | Disconnect-KallglotStream
}
finally {
    $emulator | Stop-KallglotEmulator
}
