BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:receive = 'Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'

    function Send-EmulatorEvents([string] $SessionId, [string] $Json) {
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$SessionId/events" -Json $Json | Out-Null
    }
    function Stop-EmulatorSession([string] $SessionId, [string] $Reason = 'operator_hangup') {
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$SessionId/end" -Body @{ reason = $Reason } | Out-Null
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Connect-KallglotStream, Receive-KallglotStream, Disconnect-KallglotStream' {
    It 'streams a session from creation to its end in one pipeline, finals filtered live' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage es | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId @'
[{"type":"transcript.partial","speaker":"caller","text":"Hel"},
 {"type":"transcript.final","speaker":"caller","text":"Hello","translation":{"text":"Hola","language":"es"}},
 {"type":"transcript.final","speaker":"agent","text":"How can I help?","translation":{"text":"¿Cómo puedo ayudar?","language":"es"}}]
'@
        Stop-EmulatorSession $stream.SessionId

        $finals = Receive-KallglotStream -Stream $stream -Wait -TimeoutSec 20 | Where-Object Type -eq 'transcript.final'

        $finals | Should -HaveCount 2
        $finals[0] | Should -BeOfType ([Kallglot.Streaming.Events.TranscriptFinalEvent])
        $finals.Text | Should -Be @('Hello', 'How can I help?')
        $finals.TranslationText | Should -Be @('Hola', '¿Cómo puedo ayudar?')
        $stream.State | Should -Be 'Ended'
        $stream.EndReason | Should -Be 'operator_hangup'
    }

    It 'delivers every one of 10,000 flooded events, in order' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/flood" -Body @{ count = 10000 } | Out-Null
        Wait-Until -Because 'the flood to be sent' {
            (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).eventsSent -ge 10002
        }
        Stop-EmulatorSession $stream.SessionId

        $indexes = $stream | Receive-KallglotStream -Wait -TimeoutSec 60 -Type 'transcript.*' | ForEach-Object { $_.Raw['flood_index'] }

        $indexes | Should -HaveCount 10000
        ($indexes -join ',') | Should -Be ((0..9999) -join ',')
    }

    It 'lets -Type filter with wildcards and keeps unknown event types as base events' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId '[{"type":"sentiment.update","score":0.5},{"type":"transcript.partial","text":"x"}]'
        Stop-EmulatorSession $stream.SessionId

        $events = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20)
        $unknown = $events | Where-Object Type -eq 'sentiment.update'

        $unknown | Should -HaveCount 1
        $unknown.GetType().FullName | Should -Be 'Kallglot.Streaming.Events.KallglotEvent'
        $unknown.Raw['score'] | Should -Be 0.5
        $events.Type | Should -Be @('session.ready', 'sentiment.update', 'transcript.partial', 'session.ended')
    }

    It 'writes an error event as a non-terminating error carrying its code, and goes on' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId '[{"type":"error","code":"translation_unavailable","message":"Backend busy"},{"type":"transcript.partial","text":"after"}]'
        Stop-EmulatorSession $stream.SessionId

        $events = Receive-KallglotStream $stream -Wait -TimeoutSec 20 -ErrorVariable streamErrors -ErrorAction SilentlyContinue

        $streamErrors | Should -HaveCount 1
        $streamErrors[0].FullyQualifiedErrorId | Should -Be "translation_unavailable,$receive"
        $streamErrors[0].Exception.Message | Should -Match 'Backend busy'
        $events.Type | Should -Contain 'transcript.partial'
        $events.Type | Should -Contain 'session.ended'
    }

    It 'returns without -Wait with just the events buffered now' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId '{"type":"transcript.partial","text":"one"}'
        Wait-Until -Because 'two events to be buffered' { $stream.EventsPending -ge 2 }

        $first = @(Receive-KallglotStream $stream)
        $second = @(Receive-KallglotStream $stream)

        $first.Type | Should -Be @('session.ready', 'transcript.partial')
        $second | Should -HaveCount 0
        $stream | Disconnect-KallglotStream
    }

    It 'stops -Wait on Ctrl+C promptly, leaves the stream usable, and loses no event' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        $runner = [powershell]::Create()
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $null = $runner.AddScript({
                param($ModulePath, $Stream)
                Import-Module $ModulePath
                Receive-KallglotStream -Stream $Stream -Wait
            }).AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument($stream)
        $async = $runner.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
        try {
            Wait-Until -Because 'session.ready to reach the waiting pipeline' { $output.Count -ge 1 }

            # Nothing ends this wait but the stop: the session runs on for the emulator's idle time. Bounded so that a stop that does
            # not cancel fails here instead of hanging the suite; the bound is no measure of speed.
            $stopping = $runner.BeginStop($null, $null)
            $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(20)) | Should -BeTrue -Because 'Ctrl+C cancels the wait'
            $runner.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $runner.Dispose() }

        Send-EmulatorEvents $stream.SessionId '[{"type":"transcript.partial","text":"after stop 1"},{"type":"transcript.final","text":"after stop 2"}]'
        Stop-EmulatorSession $stream.SessionId
        $after = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20)

        $output[0].Type | Should -Be 'session.ready'
        $after.Type | Should -Be @('transcript.partial', 'transcript.final', 'session.ended')
        ($output.Count + $after.Count) | Should -Be $stream.EventsReceived
    }

    It 'reopens a dropped connection while the token is valid, and events keep coming' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/drop" | Out-Null
        Wait-Until -Because 'the stream to reconnect' { $stream.Reconnects -ge 1 -and $stream.State -eq 'Open' }
        Send-EmulatorEvents $stream.SessionId '{"type":"transcript.final","text":"after reconnect"}'
        Stop-EmulatorSession $stream.SessionId

        $events = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20)

        ($events | Where-Object Type -eq 'transcript.final').Text | Should -Be 'after reconnect'
        ($events | Where-Object Type -eq 'session.ready') | Should -HaveCount 2
    }

    It 'records every frame in and out as JSON lines with -RecordPath' {
        $path = Join-Path $TestDrive 'call.jsonl'
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath $path
        Send-EmulatorEvents $stream.SessionId '{"type":"transcript.final","text":"recorded"}'
        Stop-EmulatorSession $stream.SessionId
        $null = Receive-KallglotStream $stream -Wait -TimeoutSec 20
        $stream | Disconnect-KallglotStream

        $lines = Get-Content $path | ConvertFrom-Json
        $lines.frame.type | Should -Be @('session.ready', 'transcript.final', 'session.ended')
        $lines.direction | Select-Object -Unique | Should -Be 'in'
    }

    It 'closes cleanly with Disconnect-KallglotStream' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream

        $closed = $stream | Disconnect-KallglotStream -PassThru

        $closed.State | Should -Be 'Closed'
        Wait-Until -Because 'the emulator to see the close' {
            -not (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)" -Method GET).connected
        }
    }
}

Describe 'Stream token lifetime' {
    BeforeAll {
        # Long enough for a fresh emulator's first handshake on a loaded machine; the tests wait for the expiry, never sleep.
        $script:shortLived = Start-KallglotEmulator -TokenTtlSeconds 5
        $script:connect = 'Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'
    }
    AfterAll { $shortLived | Stop-KallglotEmulator }

    It 'fails fast, before connecting, when the token has expired' {
        $session = New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $shortLived.BaseUri -ApiKey $shortLived.ApiKey
        Wait-Until -Because 'the token to expire' { $session.IsTokenExpired }

        $thrown = { $session | Connect-KallglotStream } | Should -Throw -ErrorId "stream_token_expired,$connect" -PassThru

        $thrown.Exception.Message | Should -Match 'New-KallglotSession'
        (Invoke-EmulatorControl -Emulator $shortLived -Path "/_emulator/sessions/$($session.Id)" -Method GET).connections | Should -Be 0
    }

    It 'ends -Wait with a clear error when the server drops the stream after the token expired' {
        $session = New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $shortLived.BaseUri -ApiKey $shortLived.ApiKey
        $stream = $session | Connect-KallglotStream
        Wait-Until -Because 'the token to expire' { $session.IsTokenExpired }
        Invoke-EmulatorControl -Emulator $shortLived -Path "/_emulator/sessions/$($session.Id)/drop" | Out-Null

        $received = [System.Collections.Generic.List[object]]::new()
        $thrown = { Receive-KallglotStream $stream -Wait -TimeoutSec 20 | ForEach-Object { $received.Add($_) } } |
            Should -Throw -ErrorId "stream_lost,$receive" -PassThru

        $thrown.Exception.Message | Should -Match 'create a new session'
        $received.Type | Should -Be @('session.ready')
        $stream.State | Should -Be 'Failed'
    }
}

Describe 'Receive-KallglotStream over many streams at once' {
    It 'follows every stream given to -Stream, each in its order, until every session has ended' {
        $streams = 1..3 | ForEach-Object { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream }
        foreach ($stream in $streams) {
            Send-EmulatorEvents $stream.SessionId (@(1..5 | ForEach-Object { @{ type = 'transcript.final'; text = "$($stream.SessionId) #$_" } }) | ConvertTo-Json)
            Stop-EmulatorSession $stream.SessionId
        }

        $events = @(Receive-KallglotStream -Stream $streams -Wait -TimeoutSec 30)

        foreach ($stream in $streams) {
            $own = $events | Where-Object SessionId -eq $stream.SessionId
            ($own | Where-Object Type -eq 'transcript.final').Text | Should -Be @(1..5 | ForEach-Object { "$($stream.SessionId) #$_" })
            $own[-1].Type | Should -Be 'session.ended'
        }
    }

    It 'follows piped streams together: one session ending is delivered while the others still run' {
        $first, $second = 1..2 | ForEach-Object { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream }
        Stop-EmulatorSession $second.SessionId -Reason 'second_done'
        $started = [Diagnostics.Stopwatch]::StartNew()

        # Received one after the other, the first stream would be waited for until the timeout and the second's end never seen in time.
        $ended = $first, $second | Receive-KallglotStream -Wait -TimeoutSec 60 -Type 'session.ended' | ForEach-Object {
            if ($_.SessionId -eq $second.SessionId) { Stop-EmulatorSession $first.SessionId -Reason 'first_done' }
            $_
        }

        $ended.Reason | Should -Be @('second_done', 'first_done')
        $started.Elapsed.TotalSeconds | Should -BeLessThan 50
    }

    It 'reports a stream that is lost as its own error and goes on with the others' {
        $healthy = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        $doomed = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -MaxReconnectAttempts 0
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($doomed.SessionId)/drop" | Out-Null
        Send-EmulatorEvents $healthy.SessionId '[{"type":"transcript.final","text":"still here"}]'
        Stop-EmulatorSession $healthy.SessionId

        $events = @(Receive-KallglotStream -Stream $healthy, $doomed -Wait -TimeoutSec 30 -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be "stream_lost,$receive"
        $failures[0].TargetObject.SessionId | Should -Be $doomed.SessionId
        ($events | Where-Object Type -eq 'transcript.final').Text | Should -Be 'still here'
        ($events | Where-Object Type -eq 'session.ended').SessionId | Should -Be $healthy.SessionId
    }

    It 'refuses -AudioOutputPath with more than one stream, saying how to get each stream''s audio' {
        $streams = 1..2 | ForEach-Object { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream }

        { Receive-KallglotStream -Stream $streams -Wait -AudioOutputPath (Join-Path $TestDrive 'both.wav') } |
            Should -Throw -ErrorId "audio_output_one_stream,$receive"

        Test-Path (Join-Path $TestDrive 'both.wav') | Should -BeFalse
        $streams | Disconnect-KallglotStream
    }

    It 'takes none of the streams when one of them is already being read elsewhere' {
        $free, $busy = 1..2 | ForEach-Object { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream }
        $reader = $busy.OpenReader()
        try {
            { Receive-KallglotStream -Stream $free, $busy -Wait -TimeoutSec 5 } | Should -Throw -ErrorId "stream_busy,$receive"
        }
        finally {
            $reader.Dispose()
        }

        Send-EmulatorEvents $free.SessionId '[{"type":"transcript.final","text":"readable"}]'
        Wait-Until -Because 'the event to arrive' { $free.EventsPending -ge 2 }
        (Receive-KallglotStream $free -Type 'transcript.final').Text | Should -Be 'readable'
        $free, $busy | Disconnect-KallglotStream
    }
}
