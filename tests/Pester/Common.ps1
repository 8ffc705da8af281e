# Dot-sourced by every test file: imports the BUILT module (never the source tree) and gives the
# tests a way to drive the emulator's control endpoints, which the module's cmdlets never call.
$modulePath = if ($env:KALLGLOT_TEST_MODULE) { $env:KALLGLOT_TEST_MODULE } else { Join-Path $PSScriptRoot '../../out/Kallglot/Kallglot.psd1' }
Import-Module $modulePath -Force -ErrorAction Stop

function Invoke-EmulatorControl {
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [ValidateSet('GET', 'POST')] [string] $Method = 'POST',
        $Body,
        [string] $Json
    )
    $uri = [Uri]::new($Emulator.BaseUri, $Path)
    if ($Method -eq 'GET') { return Invoke-RestMethod -Uri $uri -Method Get }
    $payload = if ($Json) { $Json } elseif ($null -ne $Body) { $Body | ConvertTo-Json -Depth 10 -Compress } else { '{}' }
    Invoke-RestMethod -Uri $uri -Method Post -Body $payload -ContentType 'application/json'
}

function Get-EmulatorSessionCount {
    param([Parameter(Mandatory)] $Emulator)
    # Invoke-RestMethod writes a JSON array as one object: ForEach-Object unrolls it.
    @(Invoke-EmulatorControl -Emulator $Emulator -Path '/_emulator/sessions' -Method GET | ForEach-Object { $_ }).Count
}

function Get-EmulatorCreditsUsed {
    param([Parameter(Mandatory)] $Emulator)
    (Invoke-EmulatorControl -Emulator $Emulator -Path '/_emulator/credits' -Method GET).used
}

function Wait-Until {
    # Waits for a condition with a deadline: tests never sleep a fixed time and hope.
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSec = 15, [string] $Because = 'the condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSec s waiting for $Because." }
        Start-Sleep -Milliseconds 20
    }
}

function ConvertTo-PlainText {
    param([Parameter(Mandatory)] [securestring] $Secure)
    [System.Net.NetworkCredential]::new('', $Secure).Password
}

function Get-StreamTokenForTest {
    # The token is internal on purpose; only a test that proves it never shows may read it.
    param([Parameter(Mandatory)] $Session)
    $property = $Session.GetType().GetProperty('StreamUriWithToken', [System.Reflection.BindingFlags]'NonPublic,Instance')
    $uri = $property.GetValue($Session)
    if ($uri.Query -match 'token=([^&]+)') { [Uri]::UnescapeDataString($Matches[1]) }
}

function New-ToneWav {
    # A WAV of a 440 Hz tone, then silence: one utterance to the emulator. Written byte by byte so the tests depend on nothing but .NET.
    param([string] $Path, [int] $Rate = 16000, [int] $Bits = 16, [int] $Channels = 1, [double] $Seconds = 1.0, [double] $SilenceSeconds = 0)
    $toneFrames = [int]($Rate * $Seconds)
    $frames = $toneFrames + [int]($Rate * $SilenceSeconds)
    $bytesPerSample = $Bits / 8
    $data = [System.IO.MemoryStream]::new()
    $writer = [System.IO.BinaryWriter]::new($data)
    for ($n = 0; $n -lt $frames; $n++) {
        $value = if ($n -lt $toneFrames) { 0.5 * [Math]::Sin(2 * [Math]::PI * 440 * $n / $Rate) } else { 0 }
        for ($c = 0; $c -lt $Channels; $c++) {
            switch ($Bits) {
                8 { $writer.Write([byte][Math]::Round(128 + $value * 127)) }
                16 { $writer.Write([int16][Math]::Round($value * 32767)) }
            }
        }
    }
    $writer.Flush()
    $body = $data.ToArray()
    $file = [System.IO.BinaryWriter]::new([System.IO.File]::Create($Path))
    $file.Write([Text.Encoding]::ASCII.GetBytes('RIFF')); $file.Write([int](36 + $body.Length)); $file.Write([Text.Encoding]::ASCII.GetBytes('WAVEfmt '))
    $file.Write([int]16); $file.Write([int16]1); $file.Write([int16]$Channels); $file.Write([int]$Rate)
    $file.Write([int]($Rate * $Channels * $bytesPerSample)); $file.Write([int16]($Channels * $bytesPerSample)); $file.Write([int16]$Bits)
    $file.Write([Text.Encoding]::ASCII.GetBytes('data')); $file.Write([int]$body.Length); $file.Write($body)
    $file.Dispose()
    $Path
}
