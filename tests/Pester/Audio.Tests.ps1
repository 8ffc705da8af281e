BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -IdleTimeoutSeconds 1
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:send = 'Kallglot.PowerShell.Commands.SendKallglotAudioCommand'
    $script:sample = Join-Path $PSScriptRoot '../../examples/sample-call.wav'

    function Connect-StreamIdlingAfter([int] $Seconds) {
        # A stream whose session idles out after $Seconds, not this file's one: the emulator takes the timeout when a stream connects.
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ idleTimeoutSeconds = $Seconds } | Out-Null
        try {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            # The server takes the timeout as its side of the connection starts, a moment after the client sees it open.
            Wait-Until -Because 'the emulator to attach the stream' {
                (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).connected
            }
            $stream
        }
        finally { Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ idleTimeoutSeconds = 1 } | Out-Null }
    }

    function Get-Scheduling([string] $StatPath) {
        # A Linux thread's scheduling from its /proc stat. The fields after the command name (in parentheses, and it may hold spaces): nice is field 19, rt_priority 40, policy 41.
        $stat = Get-Content $StatPath -Raw
        $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        [pscustomobject]@{ Nice = [int]$fields[16]; RealTimePriority = [int]$fields[37]; Policy = [int]$fields[38] }
    }

    function Get-WavLayout([string] $Path) {
        # Walks the RIFF chunks as a player does: the header must describe the file as it is on disk. Get-Content shares the
        # file with the stream still writing it, which Windows enforces (File.ReadAllBytes does not).
        $bytes = Get-Content -LiteralPath $Path -AsByteStream -Raw
        $layout = @{ RiffSize = [BitConverter]::ToInt32($bytes, 4); FileLength = $bytes.Length }
        $offset = 12
        while ($offset + 8 -le $bytes.Length) {
            $id = [Text.Encoding]::ASCII.GetString($bytes, $offset, 4)
            $size = [BitConverter]::ToInt32($bytes, $offset + 4)
            if ($id -eq 'fmt ') {
                $layout.Channels = [BitConverter]::ToInt16($bytes, $offset + 10)
                $layout.SampleRate = [BitConverter]::ToInt32($bytes, $offset + 12)
                $layout.BitsPerSample = [BitConverter]::ToInt16($bytes, $offset + 22)
            }
            if ($id -eq 'data') {
                $layout.DataSize = $size
                $layout.DataOnDisk = $bytes.Length - $offset - 8
                break
            }
            $offset += 8 + $size + ($size % 2)
        }
        [pscustomobject]$layout
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Send-KallglotAudio' {
    It 'waits for a late session.ready before its first frame, so a server that drops audio before it hears every frame' {
        $wav = New-ToneWav (Join-Path $TestDrive 'ready-late.wav') -Rate 8000 -Seconds 1
        # Both kept until the send is over: the server takes them as its side of the connection starts, which may be a moment
        # after the client sees the connection open.
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ readyDelayMs = 800; idleTimeoutSeconds = 600 } | Out-Null
        try {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            $summary = $stream | Send-KallglotAudio -Path $wav -NoPacing -PassThru
        }
        finally { Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ readyDelayMs = 0; idleTimeoutSeconds = 1 } | Out-Null }

        $statsPath = "/_emulator/sessions/$($stream.SessionId)"
        Wait-Until -Because 'the emulator to count every frame, heard or dropped' {
            $seen = Invoke-EmulatorControl -Emulator $emulator -Path $statsPath -Method GET
            $seen.framesReceived + $seen.framesDroppedBeforeReady -eq 50
        }
        $stats = Invoke-EmulatorControl -Emulator $emulator -Path $statsPath -Method GET
        $stats.framesDroppedBeforeReady | Should -Be 0
        $stats.framesReceived | Should -Be $summary.Frames
        $stream.ReadyAt | Should -Not -BeNullOrEmpty
        $stream | Disconnect-KallglotStream
    }

    It 'sends a WAV as the frames its duration implies and returns a summary with -PassThru' {
        # Written before the session exists: this emulator ends a session idle for a second, and on a loaded machine writing the tone can take longer.
        $wav = New-ToneWav (Join-Path $TestDrive 'stereo-44k.wav') -Rate 44100 -Channels 2 -Seconds 2
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream

        $summary = $stream | Send-KallglotAudio -Path $wav -Speaker agent -NoPacing -PassThru

        $summary | Should -BeOfType ([Kallglot.Audio.AudioSendResult])
        $summary.Frames | Should -Be 100
        $summary.Bytes | Should -Be 16000
        $summary.AudioDuration | Should -Be ([TimeSpan]::FromSeconds(2))
        $summary.SourceFormat | Should -Match 'PCM 16-bit 44100 Hz stereo'
        $summary.Pacing | Should -BeNullOrEmpty -Because 'an unpaced send has no schedule to keep'
        ($summary | Format-Table | Out-String) | Should -Match 'unpaced'
        Wait-Until -Because 'the emulator to count the frames' {
            (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).framesReceived -eq 100
        }
        $stream | Disconnect-KallglotStream
    }

    It 'sends the files Get-ChildItem pipes to it, one after the other, by their FullName' {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'calls')
        $null = New-ToneWav (Join-Path $folder 'a.wav') -Seconds 1
        $null = New-ToneWav (Join-Path $folder 'b.wav') -Seconds 2
        $stream = Connect-StreamIdlingAfter -Seconds 600

        $summaries = Get-ChildItem $folder -Filter *.wav | Sort-Object Name | Send-KallglotAudio -Stream $stream -NoPacing -PassThru

        $summaries.Frames | Should -Be @(50, 100)
        Wait-Until -Because 'the emulator to count the frames' {
            (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).framesReceived -eq 150
        }
        $stream | Disconnect-KallglotStream
    }

    It 'plays a file in the background while Receive-KallglotStream prints live, and writes the translated audio as a valid WAV' {
        $out = Join-Path $TestDrive 'translated.wav'

        $stream = New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage es | Connect-KallglotStream
        $events = $stream | Send-KallglotAudio -Path $sample -Background -NoPacing |
            Receive-KallglotStream -Wait -TimeoutSec 60 -AudioOutputPath $out

        $finals = $events | Where-Object Type -eq 'transcript.final'
        $finals | Should -HaveCount 2
        $finals.TranslationText | Should -Not -Contain $null
        ($events | Where-Object Type -eq 'transcript.partial').Count | Should -BeGreaterThan 2
        $events[-1].Type | Should -Be 'session.ended'

        $wav = Get-WavLayout $out
        $wav.RiffSize | Should -Be ($wav.FileLength - 8)
        $wav.Channels | Should -Be 1
        $wav.SampleRate | Should -Be 8000
        $wav.BitsPerSample | Should -Be 16
        $wav.DataSize | Should -Be $wav.DataOnDisk
        $audioEvents = @($events | Where-Object Type -eq 'audio.output')
        $wav.DataSize | Should -Be (($audioEvents | Measure-Object { $_.Payload.Length } -Sum).Sum * 2)
        Wait-Until -Because 'the send to finish' { $stream.BackgroundSends[0].Status -ne 'Playing' }
        $stream.BackgroundSends[0].Status | Should -Be 'Sent'
        $stream.BackgroundSends[0].Progress.Percent | Should -Be 100 -Because 'the whole file was sent, whatever its header let the reader estimate'
    }

    It 'reports each background send on its stream: its status and, once sent in real time, how far its frames left from their schedule' {
        $wav = New-ToneWav (Join-Path $TestDrive 'short.wav') -Rate 8000 -Seconds 0.4 -SilenceSeconds 0.2
        # A loaded machine may take a second to start the first paced send of the process.
        $stream = Connect-StreamIdlingAfter -Seconds 3

        $null = $stream | Send-KallglotAudio -Path $wav -Background | Receive-KallglotStream -Wait -TimeoutSec 60
        Wait-Until -Because 'the send to finish' { $stream.BackgroundSends[0].Status -ne 'Playing' }

        $send = $stream.BackgroundSends[0]
        $send.Status | Should -Be 'Sent'
        $send.Result | Should -BeOfType ([Kallglot.Audio.AudioSendResult])
        $send.Result.Frames | Should -Be 30
        $send.Result.Pacing.Frames | Should -Be 30 -Because 'every paced frame is measured against its schedule'
        $send.Result.Pacing.Max | Should -BeGreaterOrEqual $send.Result.Pacing.P99
        # As docs/scaling.md gathers the sends of many streams into one figure.
        $combined = [Kallglot.Pacing.PacingDeviation]::Combine([Kallglot.Pacing.PacingDeviation[]] @($stream.BackgroundSends.Result.Pacing))
        $combined.Frames | Should -Be 30
        ($combined | Format-Table | Out-String) | Should -Match '\s30\s+\d+\.\d\d ms\s+\d+\.\d\d ms\s+\d+\.\d\d ms'
        [Kallglot.Pacing.PacingDeviation]::Combine([Kallglot.Pacing.PacingDeviation[]] @()).Frames | Should -Be 0 -Because 'a batch with no paced send gives an empty figure, not an error'
        $table = $stream.BackgroundSends | Format-Table | Out-String
        $table | Should -Match 'short\.wav\s+caller\s+Sent\s+100%\s+\d+\.\d\d ms'
        $stream | Disconnect-KallglotStream
    }

    It 'says with -Verbose at what priority its frames are paced, as Linux reports the pacing thread (reads /proc, so Linux only)' -Skip:(-not $IsLinux) {
        $wav = New-ToneWav (Join-Path $TestDrive 'brief.wav') -Rate 8000 -Seconds 0.2
        $stream = Connect-StreamIdlingAfter -Seconds 3

        $said = $stream | Send-KallglotAudio -Path $wav -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

        $line = @($said | ForEach-Object Message | Where-Object { $_ -like 'Frames are paced by a thread at *' })
        $line | Should -HaveCount 1
        # .NET names the thread; Linux keeps the first 15 characters of the name. A thread may end while the list is read.
        $task = Get-ChildItem "/proc/$PID/task" | Where-Object { (Get-Content "$($_.FullName)/comm" -ErrorAction SilentlyContinue) -like 'Kallglot frame*' }
        $task | Should -HaveCount 1 -Because 'one pacer thread serves every stream of the process'
        $pacer = Get-Scheduling "$($task.FullName)/stat"
        $process = Get-Scheduling "/proc/$PID/stat"
        if ($pacer.Policy -eq 1) {
            $line[0] | Should -Match "real-time priority \(SCHED_FIFO $($pacer.RealTimePriority)\)"
        } elseif ($pacer.Nice -lt $process.Nice) {
            $line[0] | Should -Match "raised priority \(nice $($pacer.Nice)\)"
        } elseif ($env:KALLGLOT_PACER_PRIORITY -eq 'Normal') {
            $line[0] | Should -Match 'normal priority: KALLGLOT_PACER_PRIORITY is Normal'
        } else {
            $line[0] | Should -Match 'normal priority: .*(LimitRTPRIO=10|does not implement scheduling policies)'
        }
        $stream | Disconnect-KallglotStream
    }

    It 'keeps the WAV header valid when the receive is stopped midway' {
        $out = Join-Path $TestDrive 'stopped.wav'
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream | Send-KallglotAudio -Path $sample -Background -NoPacing

        $null = Receive-KallglotStream $stream -Wait -AudioOutputPath $out | Where-Object Type -eq 'audio.output' | Select-Object -First 5

        $wav = Get-WavLayout $out
        $wav.RiffSize | Should -Be ($wav.FileLength - 8)
        $wav.DataSize | Should -Be $wav.DataOnDisk
        $wav.DataSize | Should -BeGreaterOrEqual (5 * 320)
        $stream | Disconnect-KallglotStream
    }

    Context 'refuses bad input before sending anything' {
        BeforeAll {
            # One stream serves the whole context, which takes longer than a second on a loaded machine: the -WhatIf case needs it open.
            $script:stream = Connect-StreamIdlingAfter -Seconds 600
            $script:good = New-ToneWav (Join-Path $TestDrive 'good.wav')
        }
        AfterAll {
            (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).framesReceived | Should -Be 0
            $stream | Disconnect-KallglotStream
        }

        It 'a missing file' {
            { $stream | Send-KallglotAudio -Path (Join-Path $TestDrive 'missing.wav') } | Should -Throw -ErrorId "audio_file_not_found,$send"
        }
        It 'an empty file' {
            $empty = Join-Path $TestDrive 'empty.wav'; New-Item -ItemType File $empty | Out-Null
            { $stream | Send-KallglotAudio -Path $empty } | Should -Throw -ErrorId "audio_file_empty,$send"
        }
        It 'a file that is not a WAV, naming -Encoding MuLaw as the alternative' {
            $text = Join-Path $TestDrive 'notes.wav'; 'just some text' | Set-Content $text
            $thrown = { $stream | Send-KallglotAudio -Path $text } | Should -Throw -ErrorId "audio_not_wav,$send" -PassThru
            $thrown.Exception.Message | Should -Match 'mulaw'
        }
        It 'an unsupported codec, naming it' {
            $adpcm = Join-Path $TestDrive 'adpcm.wav'
            $bytes = [System.IO.File]::ReadAllBytes($good)
            $bytes[20] = 2; $bytes[21] = 0          # format tag 2: Microsoft ADPCM
            [System.IO.File]::WriteAllBytes($adpcm, $bytes)
            $thrown = { $stream | Send-KallglotAudio -Path $adpcm } | Should -Throw -ErrorId "unsupported_audio_encoding,$send" -PassThru
            $thrown.Exception.Message | Should -Match 'Adpcm'
        }
        It 'an empty speaker label' {
            { $stream | Send-KallglotAudio -Path $good -Speaker '' } | Should -Throw -ErrorId "invalid_speaker,$send"
            { $stream | Send-KallglotAudio -Path $good -Speaker '   ' } | Should -Throw -ErrorId "invalid_speaker,$send"
        }
        It 'sends nothing with -WhatIf' {
            $stream | Send-KallglotAudio -Path $good -WhatIf

            $stream.FramesSent | Should -Be 0
        }
    }

    It 'refuses to send on a stream whose session has ended' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null
        $null = Receive-KallglotStream $stream -Wait -TimeoutSec 20

        { $stream | Send-KallglotAudio -Path (New-ToneWav (Join-Path $TestDrive 'late.wav')) } | Should -Throw -ErrorId "stream_closed,$send"
    }

    It '-AudioOutputPath writes mu-law by any name and case, and warns once of audio of another encoding it cannot write' {
        $stream = Connect-StreamIdlingAfter 60
        $path = Join-Path $TestDrive 'named.wav'
        $frame = [Convert]::ToBase64String([byte[]]::new(160))
        $events = @(
            @{ type = 'audio.output'; audio = @{ encoding = 'MULAW'; sample_rate_hz = 8000; payload = $frame } }
            @{ type = 'audio.output'; audio = @{ encoding = 'pcm16'; sample_rate_hz = 16000; payload = $frame } }
            @{ type = 'audio.output'; audio = @{ encoding = 'g711_ulaw'; sample_rate_hz = 8000; payload = $frame } }
            @{ type = 'audio.output'; audio = @{ encoding = 'pcm16'; sample_rate_hz = 16000; payload = $frame } }
        ) | ConvertTo-Json -Depth 5 -Compress
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json $events | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null

        $received = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20 -AudioOutputPath $path -WarningVariable warnings 3>$null)

        @($received | Where-Object Type -eq 'audio.output').Count | Should -Be 4
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match "'pcm16' at 16000 Hz"
        (Get-WavLayout $path).DataSize | Should -Be (2 * 160 * 2) -Because 'the two mu-law frames are in the file, as 16-bit PCM'
    }

    It 'returns at once on Ctrl+C in the middle of a paced file, and lets go of the file (Linux: the process''s open files read from /proc)' -Skip:(-not $IsLinux) {
        $long = New-ToneWav (Join-Path $TestDrive 'long-send.wav') -Rate 8000 -Seconds 10
        $stream = Connect-StreamIdlingAfter 60
        $runner = [powershell]::Create()
        $null = $runner.AddScript({ param($ModulePath, $Stream, $Path) Import-Module $ModulePath; $Stream | Send-KallglotAudio -Path $Path }).
            AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument($stream).AddArgument($long)
        try {
            $null = $runner.BeginInvoke()
            Wait-Until -Because 'the send to be under way' { $stream.FramesSent -ge 5 }

            $elapsed = Measure-Command { $runner.Stop() }
        }
        finally { $runner.Dispose() }

        $elapsed.TotalSeconds | Should -BeLessThan 5
        Wait-Until -Because 'the file to be closed once the stopped send has ended' { @(Get-ChildItem "/proc/$PID/fd" | Where-Object LinkTarget -eq $long).Count -eq 0 }
        $sent = $stream.FramesSent
        $sent | Should -BeLessThan 500 -Because 'the send stopped before the end of the 10 s file'
        $stream | Disconnect-KallglotStream
    }

    It 'sends headerless mu-law with -Encoding MuLaw, the last frame padded' {
        $raw = Join-Path $TestDrive 'call.ulaw'
        [System.IO.File]::WriteAllBytes($raw, [byte[]]::new(800) + 0xFF)
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream

        $summary = $stream | Send-KallglotAudio -Path $raw -Encoding MuLaw -NoPacing -PassThru

        $summary.Frames | Should -Be 6
        $summary.Bytes | Should -Be 960
        $summary.SourceFormat | Should -Match 'headerless'
        $stream | Disconnect-KallglotStream
    }
}
