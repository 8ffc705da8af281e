# Faults the emulator's control endpoints inject: for each, the cmdlet ends or goes on as DESIGN.md
# says, with an error naming what happened, and what arrived before the fault is delivered.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -IdleTimeoutSeconds 600
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:new = 'Kallglot.PowerShell.Commands.NewKallglotSessionCommand'
    $script:receive = 'Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'

    function Add-HttpFault([hashtable] $Fault) {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/faults' -Body $Fault | Out-Null
    }
    function Get-EmulatorConnection {
        # The local ends of established connections to the emulator: the module's sockets, its stream's and its pooled HTTP ones.
        $port = $emulator.BaseUri.Port
        @([System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().GetActiveTcpConnections() |
            Where-Object { $_.RemoteEndPoint.Port -eq $port -and $_.State -eq 'Established' } | ForEach-Object { $_.LocalEndPoint.ToString() })
    }
    function Connect-WatchedStream {
        # The session first, so that its HTTP connection (pooled, and kept) is not taken for the stream's; the stream's
        # connection is then the one that is new.
        $session = New-KallglotSession -PhoneNumber '+14155550100'
        $before = Get-EmulatorConnection
        $stream = $session | Connect-KallglotStream
        Wait-Until -Because 'the stream socket to show' { @(Get-EmulatorConnection | Where-Object { $_ -notin $before }).Count -ge 1 }
        [pscustomobject]@{ Stream = $stream; Sockets = @(Get-EmulatorConnection | Where-Object { $_ -notin $before }) }
    }
}

AfterAll {
    Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/faults/clear' | Out-Null
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'HTTP faults' {
    It 'HTTP <Status> ends with <ErrorId> and is not sent again' -ForEach @(
        @{ Status = 500; ErrorId = 'server_error'; Category = 'ResourceUnavailable' }
        @{ Status = 503; ErrorId = 'service_unavailable'; Category = 'ResourceUnavailable' }
    ) {
        $creditsBefore = Get-EmulatorCreditsUsed $emulator
        Add-HttpFault @{ status = $Status }

        $thrown = { New-KallglotSession -PhoneNumber '+14155550100' } | Should -Throw -ErrorId "$ErrorId,$new" -PassThru

        $thrown.CategoryInfo.Category | Should -Be $Category
        $thrown.Exception.Message | Should -Match "HTTP $Status"
        Get-EmulatorCreditsUsed $emulator | Should -Be $creditsBefore
    }

    It '429 with Retry-After is waited out and retried, once, successfully' {
        Add-HttpFault @{ status = 429; retryAfterSeconds = 1 }

        $output = New-KallglotSession -PhoneNumber '+14155550100' -Verbose 4>&1

        ($output | Where-Object { $_ -is [Kallglot.Sessions.KallglotSession] }).Id | Should -Match '^sess_'
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n" | Should -Match 'throttled; retry 1 of 3'
    }

    It 'shows a later row''s retry while it waits it out, not once the row is done' {
        $runner = [powershell]::Create()
        try {
            $null = $runner.AddScript({
                param($ModulePath, $FaultUri)
                Import-Module $ModulePath
                & {
                    # Rows before it: each row's wait for its verbose lines must not outlive the row.
                    1..5 | ForEach-Object { [pscustomobject]@{ PhoneNumber = "+1415555010$_" } }
                    # The last row's request is throttled for 4 s once the rows before it are made.
                    Invoke-RestMethod -Uri $FaultUri -Method Post -Body '{"status":429,"retryAfterSeconds":4}' -ContentType 'application/json' | Out-Null
                    [pscustomobject]@{ PhoneNumber = '+14155550100' }
                } | New-KallglotSession -Verbose
            }).AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument([Uri]::new($emulator.BaseUri, '/_emulator/faults'))
            $running = $runner.BeginInvoke()

            Wait-Until -TimeoutSec 30 -Because 'the retry line' { $runner.Streams.Verbose.Message -match 'throttled; retry 1 of 3' }
            $shown = [Diagnostics.Stopwatch]::StartNew()
            $sessions = $runner.EndInvoke($running)

            # The line comes as the 4 s wait begins, not with the session once it is over.
            $shown.Elapsed.TotalSeconds | Should -BeGreaterThan 2 -Because 'the retry is shown while it is waited out'
            $sessions | Should -HaveCount 6
        }
        finally { $runner.Dispose() }
    }

    It '429 without Retry-After is not retried and says to wait' {
        Add-HttpFault @{ status = 429 }

        $thrown = { New-KallglotSession -PhoneNumber '+14155550100' } | Should -Throw -ErrorId "rate_limited,$new" -PassThru

        $thrown.CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }

    It 'a response that never comes ends with request_timeout after -TimeoutSec' {
        Add-HttpFault @{ hang = $true }
        $watch = [Diagnostics.Stopwatch]::StartNew()

        $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -TimeoutSec 2 } | Should -Throw -ErrorId "request_timeout,$new" -PassThru

        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9 -Because 'the request is given its -TimeoutSec'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $thrown.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $thrown.Exception.Message | Should -Match 'may have reached the server'
    }
}

Describe 'Stream faults' {
    It 'a message over 1 MB becomes an error record and the stream goes on' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/raw" -Body @{ bytes = 1100000 } | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final","text":"after the big one"}' | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null

        $events = Receive-KallglotStream $stream -Wait -TimeoutSec 30 -ErrorVariable streamErrors -ErrorAction SilentlyContinue

        $streamErrors.FullyQualifiedErrorId | Should -Be "message_too_large,$receive"
        ($events | Where-Object Type -eq 'transcript.final').Text | Should -Be 'after the big one'
    }

    It 'malformed JSON and an event with missing fields are survived' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/raw" -Body @{ text = '{"type": "transcript.final", broken' } | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final"}' | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null

        $events = Receive-KallglotStream $stream -Wait -TimeoutSec 30 -ErrorVariable streamErrors -ErrorAction SilentlyContinue

        $streamErrors.FullyQualifiedErrorId | Should -Be "malformed_event,$receive"
        $final = $events | Where-Object Type -eq 'transcript.final'
        $final.Text | Should -Be ''
        $final.Translation | Should -BeNullOrEmpty
    }

    It 'a stall of the server while the client sends loses nothing' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        $wav = Join-Path $TestDrive 'tone.wav'
        $header = [byte[]](0x52,0x49,0x46,0x46,0x24,0x7D,0,0,0x57,0x41,0x56,0x45,0x66,0x6D,0x74,0x20,16,0,0,0,1,0,1,0,0x40,0x1F,0,0,0x80,0x3E,0,0,2,0,16,0,0x64,0x61,0x74,0x61,0x00,0x7D,0,0)
        [System.IO.File]::WriteAllBytes($wav, $header + [byte[]]::new(32000))
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/stall" -Body @{ milliseconds = 1500 } | Out-Null

        $summary = $stream | Send-KallglotAudio -Path $wav -NoPacing -PassThru

        Wait-Until -TimeoutSec 20 -Because 'the emulator to read every frame after the stall' {
            (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).framesReceived -eq $summary.Frames
        }
        $stream.FramesNotSent | Should -Be 0
        $stream | Disconnect-KallglotStream
    }

    It 'a drop with no reconnection left ends with stream_lost, after delivering every event before it, and leaves valid files' {
        $record = Join-Path $TestDrive 'dropped.jsonl'
        $audio = Join-Path $TestDrive 'dropped.wav'
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath $record -MaxReconnectAttempts 0
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json (@(
                @{ type = 'transcript.final'; text = 'one' }
                @{ type = 'audio.output'; audio = @{ encoding = 'mulaw'; sample_rate_hz = 8000; payload = [Convert]::ToBase64String([byte[]]::new(160)) } }
                @{ type = 'transcript.final'; text = 'two' }
            ) | ConvertTo-Json -Depth 5) | Out-Null
        Wait-Until -Because 'the events to arrive' { $stream.EventsReceived -ge 4 }
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/drop" | Out-Null

        $received = [System.Collections.Generic.List[object]]::new()
        { Receive-KallglotStream $stream -Wait -TimeoutSec 20 -AudioOutputPath $audio | ForEach-Object { $received.Add($_) } } |
            Should -Throw -ErrorId "stream_lost,$receive"

        ($received | Where-Object Type -eq 'transcript.final').Text | Should -Be @('one', 'two')
        (Get-Content $record | ConvertFrom-Json).frame.type | Should -Be @('session.ready', 'transcript.final', 'audio.output', 'transcript.final')
        $bytes = [System.IO.File]::ReadAllBytes($audio)
        [BitConverter]::ToInt32($bytes, 4) | Should -Be ($bytes.Length - 8)
        $stream | Disconnect-KallglotStream
    }

    It 'leaves no socket open after Disconnect-KallglotStream' {
        $watched = Connect-WatchedStream
        $stream = $watched.Stream

        $stream | Disconnect-KallglotStream

        Wait-Until -Because 'the stream socket to close' { @(Get-EmulatorConnection | Where-Object { $_ -in $watched.Sockets }).Count -eq 0 }
        $stream.HasActiveWork | Should -BeFalse
    }

    It 'leaves no socket open after Ctrl+C stops a receive and the stream is disconnected' {
        $watched = Connect-WatchedStream
        $stream = $watched.Stream
        $runner = [powershell]::Create()
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $null = $runner.AddScript({ param($ModulePath, $Stream) Import-Module $ModulePath; Receive-KallglotStream -Stream $Stream -Wait }).AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument($stream)
        try {
            $null = $runner.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            Wait-Until -Because 'the receive to start' { $output.Count -ge 1 }
        }
        finally {
            $runner.Stop()
            $runner.Dispose()
        }

        $stream | Disconnect-KallglotStream

        Wait-Until -Because 'the stream socket to close' { @(Get-EmulatorConnection | Where-Object { $_ -in $watched.Sockets }).Count -eq 0 }
        $stream.State | Should -Be 'Closed'
        $stream.HasActiveWork | Should -BeFalse
    }
}
