# Recordings read back: the same events as live, so everything downstream gives the same result.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -IdleTimeoutSeconds 600
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:import = 'Kallglot.PowerShell.Commands.ImportKallglotRecordingCommand'

    # One recorded call, received live into transcripts of every format and a WAV.
    $script:live = Join-Path $TestDrive 'live'
    $null = New-Item -ItemType Directory $live
    $script:recording = Join-Path $TestDrive 'call.jsonl'
    $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath $recording
    $payload = [Convert]::ToBase64String([byte[]](0..159))
    Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json (@(
            @{ type = 'transcript.partial'; speaker = 'caller'; text = 'Hel' }
            @{ type = 'transcript.final'; speaker = 'caller'; text = 'Hello, I would like to check my order.'; translation = @{ text = 'Hola, quisiera consultar mi pedido.'; language = 'es' } }
            @{ type = 'audio.output'; utterance_id = 'utt_1'; audio = @{ encoding = 'mulaw'; sample_rate_hz = 8000; payload = $payload } }
            @{ type = 'error'; code = 'translation_slow'; message = 'Translation is running late' }
            @{ type = 'transcript.final'; speaker = 'agent'; text = 'Sure, one moment — ¿sí?'; start_ms = 4000; end_ms = 5500; translation = @{ text = 'Claro, un momento.'; language = 'es' } }
            @{ type = 'sentiment.update'; score = 0.5 }
        ) | ConvertTo-Json -Depth 5) | Out-Null
    Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/raw" -Body @{ text = '{"type": "transcript.final", oops' } | Out-Null
    Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" -Body @{ reason = 'caller_hung_up' } | Out-Null
    $script:liveEvents = @(Receive-KallglotStream $stream -Wait -TimeoutSec 30 -AudioOutputPath (Join-Path $live 'audio.wav') -ErrorVariable liveErrors -ErrorAction SilentlyContinue)
    $script:liveErrors = $liveErrors
    # Every comparison below is of the live call against its replay: with nothing received live, each would compare nothing with nothing.
    if (@($liveEvents | Where-Object Type -eq 'transcript.final').Count -ne 2 -or @($liveEvents | Where-Object Type -eq 'audio.output').Count -ne 1) {
        throw "The live call received $($liveEvents.Count) events, not the two finals and the translated audio it was sent."
    }
    foreach ($format in 'srt', 'vtt', 'csv', 'jsonl', 'txt') {
        $liveEvents | Export-KallglotTranscript -Path (Join-Path $live "call.$format")
    }
    $stream | Disconnect-KallglotStream
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Import-KallglotRecording' {
    It 'gives the same events as live: type, index, receive time, session id and JSON' {
        $imported = @(Import-KallglotRecording $recording -ErrorVariable importErrors -ErrorAction SilentlyContinue)

        $imported.Count | Should -Be $liveEvents.Count
        for ($i = 0; $i -lt $liveEvents.Count; $i++) {
            $imported[$i].GetType() | Should -Be $liveEvents[$i].GetType()
            $imported[$i].Index | Should -Be $liveEvents[$i].Index
            $imported[$i].ReceivedAt | Should -Be $liveEvents[$i].ReceivedAt
            $imported[$i].SessionId | Should -Be $liveEvents[$i].SessionId
            $imported[$i].Json | Should -BeExactly $liveEvents[$i].Json
        }
        # The same error ids, each now from Import-KallglotRecording.
        ($importErrors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be ($liveErrors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] })
        ($imported | Format-Table | Out-String) | Should -BeExactly ($liveEvents | Format-Table | Out-String)
    }

    It 'exports a byte-identical <_> transcript from the recording as it did live' -ForEach @('srt', 'vtt', 'csv', 'jsonl', 'txt') {
        $path = Join-Path $TestDrive "replayed.$_"

        Import-KallglotRecording $recording -ErrorAction SilentlyContinue | Export-KallglotTranscript -Path $path

        [System.IO.File]::ReadAllBytes($path) | Should -Be ([System.IO.File]::ReadAllBytes((Join-Path $live "call.$_")))
    }

    It 'rebuilds the translated audio as the same WAV' {
        $path = Join-Path $TestDrive 'replayed.wav'

        $null = Import-KallglotRecording $recording -AudioOutputPath $path -ErrorAction SilentlyContinue

        [System.IO.File]::ReadAllBytes($path) | Should -Be ([System.IO.File]::ReadAllBytes((Join-Path $live 'audio.wav')))
    }

    It 'filters with -Type as Receive does, and groups like live events' {
        $finals = Import-KallglotRecording $recording -Type 'transcript.f*' -ErrorAction SilentlyContinue

        $finals.Type | Sort-Object -Unique | Should -Be 'transcript.final'
        ($finals | Group-Object Speaker | Sort-Object Name).Name | Should -Be @('agent', 'caller')
    }

    It 'takes wildcards, paths and files from the pipeline' {
        Copy-Item $recording (Join-Path $TestDrive 'second.jsonl')

        $byWildcard = @(Import-KallglotRecording (Join-Path $TestDrive '*.jsonl') -Type transcript.final -ErrorAction SilentlyContinue)
        $byFile = @(Get-ChildItem (Join-Path $TestDrive '*.jsonl') | Import-KallglotRecording -Type transcript.final -ErrorAction SilentlyContinue)
        $byString = @((Join-Path $TestDrive 'second.jsonl') | Import-KallglotRecording -Type transcript.final -ErrorAction SilentlyContinue)

        $byWildcard | Should -HaveCount 4
        $byFile | Should -HaveCount 4
        $byString | Should -HaveCount 2
    }

    It 'keeps the events before a last line cut short, with one warning' {
        $bytes = [System.IO.File]::ReadAllBytes($recording)
        $cut = Join-Path $TestDrive 'crashed.jsonl'
        [System.IO.File]::WriteAllBytes($cut, $bytes[0..($bytes.Length - 30)])

        $events = @(Import-KallglotRecording $cut -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue)

        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match 'cut short'
        $events.Count | Should -Be ($liveEvents.Count - 1)
        @($errors | Where-Object FullyQualifiedErrorId -like 'recording_line_damaged*') | Should -BeNullOrEmpty
    }

    It 'reports a damaged line by its number and reads on' {
        $lines = Get-Content $recording
        $damaged = Join-Path $TestDrive 'damaged.jsonl'
        Set-Content -Path $damaged -Value (@($lines[0..1]) + 'not a frame' + @($lines[2..($lines.Count - 1)]))

        $events = @(Import-KallglotRecording $damaged -ErrorVariable errors -ErrorAction SilentlyContinue)

        $lineErrors = @($errors | Where-Object FullyQualifiedErrorId -eq "recording_line_damaged,$import")
        $lineErrors | Should -HaveCount 1
        $lineErrors[0].Exception.Message | Should -Match 'Line 3 of'
        $events.Count | Should -Be $liveEvents.Count
    }

    It 'says when nothing matches' {
        { Import-KallglotRecording (Join-Path $TestDrive 'none-*.jsonl') -ErrorAction Stop } | Should -Throw -ErrorId "recording_not_found,$import"
    }
}

Describe 'Translated audio to a disk that is full (Linux: /dev/full)' -Skip:(-not $IsLinux) {
    It 'Import-KallglotRecording stops with audio_output_write_failed, naming the file' {
        $thrown = { Import-KallglotRecording $recording -AudioOutputPath '/dev/full' -Force -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId "audio_output_write_failed,$import" -PassThru

        $thrown.CategoryInfo.Category | Should -Be 'WriteError'
        $thrown.Exception.Message | Should -Match "'/dev/full'.*Free space"
    }

    It 'Receive-KallglotStream stops with audio_output_write_failed after the events before it' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        $payload = [Convert]::ToBase64String([byte[]](0..159))
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json (@(
                @{ type = 'transcript.final'; speaker = 'caller'; text = 'Before the audio.' }
                @{ type = 'audio.output'; utterance_id = 'utt_1'; audio = @{ encoding = 'mulaw'; sample_rate_hz = 8000; payload = $payload } }
            ) | ConvertTo-Json -Depth 5) | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" -Body @{ reason = 'caller_hung_up' } | Out-Null
        try {
            $received = [System.Collections.Generic.List[object]]::new()
            $thrown = { Receive-KallglotStream $stream -Wait -TimeoutSec 30 -AudioOutputPath '/dev/full' -Force | ForEach-Object { $received.Add($_) } } |
                Should -Throw -ErrorId 'audio_output_write_failed,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand' -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'WriteError'
            $received.Type | Should -Contain 'transcript.final'
        }
        finally { $stream | Disconnect-KallglotStream }
    }
}
