# The stream's lifecycle against the ways servers other than the emulator's default behave: each
# test makes the emulator behave so, then checks what a user sees and what the server saw.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -IdleTimeoutSeconds 600
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:receive = 'Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'

    function Set-EmulatorBehaviour([hashtable] $Behaviour) {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body $Behaviour | Out-Null
    }
    function Get-EmulatorSession([string] $SessionId) {
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$SessionId" -Method GET
    }
    function Invoke-SessionControl([string] $SessionId, [string] $Action, [hashtable] $Body = @{}) {
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$SessionId/$Action" -Body $Body | Out-Null
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Stream lifecycle against other servers' {
    AfterEach {
        Set-EmulatorBehaviour @{ closeAfterEndedMs = 0; acceptEndedSessions = $false; closingHandshakeEvents = 0; eventsAfterEnded = 0 }
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/faults/clear' | Out-Null
    }

    Describe 'A session that ended is never reconnected' {
        It 'a server that closes <CloseAfterMs> ms after session.ended and accepts reconnects sees one connection' -ForEach @(
            @{ CloseAfterMs = 0 }
            @{ CloseAfterMs = 50 }
        ) {
            Set-EmulatorBehaviour @{ closeAfterEndedMs = $CloseAfterMs; acceptEndedSessions = $true }
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-SessionControl $stream.SessionId 'end' @{ reason = 'operator_hangup' }

            $events = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20)
            # Once nothing of the stream runs, no reconnection can follow: the server's count is final.
            Wait-Until -Because 'the stream to have nothing left running' { -not $stream.HasActiveWork }

            $events[-1].Type | Should -Be 'session.ended'
            $stream.State | Should -Be 'Ended'
            $stream.Reconnects | Should -Be 0
            (Get-EmulatorSession $stream.SessionId).handshakes | Should -Be 1
        }

        It 'a server close without session.ended ends the stream with stream_closed_by_server, and nothing is reopened' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-SessionControl $stream.SessionId 'close'

            { Receive-KallglotStream $stream -Wait -TimeoutSec 20 } | Should -Throw -ErrorId "stream_closed_by_server,$receive"

            Wait-Until -Because 'the stream to have nothing left running' { -not $stream.HasActiveWork }
            (Get-EmulatorSession $stream.SessionId).handshakes | Should -Be 1
        }
    }

    Describe 'Disconnect-KallglotStream reads through the closing handshake' {
        It 'keeps the finals and session.ended the server sends after the close frame, and sets EndReason' {
            Set-EmulatorBehaviour @{ closingHandshakeEvents = 4; closingHandshakeIntervalMs = 50 }
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream

            $stream | Disconnect-KallglotStream
            $late = @(Receive-KallglotStream $stream)

            ($late | Where-Object Type -eq 'transcript.final').Text | Should -Be @('closing final 1', 'closing final 2', 'closing final 3', 'closing final 4')
            $late[-1].Type | Should -Be 'session.ended'
            $stream.EndReason | Should -Be 'client_closed'
            $stream.State | Should -Be 'Closed'
            $stream.HasActiveWork | Should -BeFalse
        }

        It 'gives up on a server that never finishes the handshake after -TimeoutSec' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-SessionControl $stream.SessionId 'unresponsive'

            $elapsed = Measure-Command { $stream | Disconnect-KallglotStream -TimeoutSec 1 }

            $elapsed.TotalSeconds | Should -BeLessThan 10
            $stream.State | Should -Be 'Closed'
            $stream.HasActiveWork | Should -BeFalse
        }
    }

    Describe 'Receive-KallglotStream -Wait follows a stream until its connection has closed' {
        # A server whose last translations come after it has said the session ended: the client closes on session.ended, and
        # they arrive while the connection closes. They belong to the call, so the receive that waited for it writes them.
        BeforeEach {
            Set-EmulatorBehaviour @{ eventsAfterEnded = 3; closingHandshakeIntervalMs = 50 }
        }

        It 'writes the finals a server sends after session.ended, after it, and returns with the stream over' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-SessionControl $stream.SessionId 'end' @{ reason = 'operator_hangup' }

            $types = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20).Type

            $types | Should -Be @('session.ready', 'session.ended', 'transcript.final', 'transcript.final', 'transcript.final')
            $stream.EndReason | Should -Be 'operator_hangup'
            $stream.State | Should -Be 'Ended'
            $stream.EventsPending | Should -Be 0
        }

        It 'does the same for every stream of a many-stream receive' {
            $streams = @(1..2 | ForEach-Object { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream })
            $streams | ForEach-Object { Invoke-SessionControl $_.SessionId 'end' @{ reason = 'operator_hangup' } }

            $events = @(Receive-KallglotStream -Stream $streams -Wait -TimeoutSec 20)

            foreach ($stream in $streams) {
                ($events | Where-Object SessionId -eq $stream.SessionId | Where-Object Type -eq 'transcript.final').Text |
                    Should -Be @('after the end 1', 'after the end 2', 'after the end 3')
                $stream.EventsPending | Should -Be 0
            }
        }

        It 'has let go of its -AudioOutputPath file when it returns (Linux: the process''s open files read from /proc)' -Skip:(-not $IsLinux) {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            $path = Join-Path $TestDrive "$($stream.SessionId).wav"
            Invoke-SessionControl $stream.SessionId 'end' @{ reason = 'operator_hangup' }

            $null = Receive-KallglotStream $stream -Wait -TimeoutSec 20 -AudioOutputPath $path

            $open = @(Get-ChildItem "/proc/$PID/fd" | Where-Object LinkTarget -eq $path)
            $open.Count | Should -Be 0 -Because 'the stream is over, so no more audio can come for the file'
            Test-Path $path | Should -BeTrue
        }
    }

    Describe 'A lost connection is reopened, and says so' {
        It 'a drop shows stream.reconnected in the pipeline where the gap was' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final","text":"before"}' | Out-Null
            Wait-Until -Because 'the final to arrive' { $stream.EventsReceived -ge 2 }
            Invoke-SessionControl $stream.SessionId 'drop'
            Wait-Until -Because 'the stream to reconnect' { $stream.Reconnects -eq 1 }
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final","text":"after"}' | Out-Null
            Wait-Until -Because 'the second final to arrive' { $stream.EventsPending -ge 5 }

            $types = (Receive-KallglotStream $stream).Type

            $types | Should -Be @('session.ready', 'transcript.final', 'stream.reconnected', 'session.ready', 'transcript.final')
            (Get-EmulatorSession $stream.SessionId).handshakes | Should -Be 2
            $stream | Disconnect-KallglotStream
        }

        It 'a peer that stops answering pings is found within a few -KeepAliveSec and the stream reconnects' {
            # Two seconds, as in the core's twin of this test: on a loaded machine a pong that is merely late must not count as a dead peer.
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -KeepAliveSec 2
            Invoke-SessionControl $stream.SessionId 'unresponsive'

            $reconnected = Receive-KallglotStream $stream -Wait -TimeoutSec 30 | Where-Object Type -eq 'stream.reconnected' | Select-Object -First 1

            $reconnected | Should -BeOfType ([Kallglot.Streaming.Events.StreamReconnectedEvent])
            $reconnected.Attempts | Should -Be 1
            $reconnected.LostBecause | Should -Match 'Pong' -Because 'the connection was given up for the unanswered ping'
            ($reconnected | Format-Table | Out-String) | Should -Match 'stream\.reconnected'
            $stream.State | Should -Be 'Open'
            (Get-EmulatorSession $stream.SessionId).handshakes | Should -BeGreaterOrEqual 2
            $stream | Disconnect-KallglotStream
        }

        It 'a reconnection the server keeps failing stops after -MaxReconnectAttempts with stream_lost' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -MaxReconnectAttempts 2
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/faults' -Body @{ stream = $true; status = 503; count = 10 } | Out-Null
            Invoke-SessionControl $stream.SessionId 'drop'

            $thrown = { Receive-KallglotStream $stream -Wait -TimeoutSec 30 } | Should -Throw -ErrorId "stream_lost,$receive" -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'ConnectionError'
            $thrown.Exception.Message | Should -Match '2 attempt\(s\)'
            (Get-EmulatorSession $stream.SessionId).handshakes | Should -Be 3
        }
    }

    Describe 'Bounded memory and no silent failure' {
        It 'drops translated audio past -MaxBufferMB with one warning, and keeps every transcript' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -MaxBufferMB 1
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/flood" -Body @{ type = 'audio.output'; count = 20000 } | Out-Null
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final","text":"kept"}' | Out-Null
            Wait-Until -TimeoutSec 60 -Because 'the flood to arrive' { $stream.EventsReceived -ge 20003 }

            $events = @(Receive-KallglotStream $stream -WarningVariable warnings -WarningAction SilentlyContinue)
            $again = @(Receive-KallglotStream $stream -WarningVariable moreWarnings -WarningAction SilentlyContinue)

            $stream.EventsDropped | Should -BeGreaterThan 10000
            ($events | Where-Object Type -eq 'audio.output').Count | Should -Be (20000 - $stream.EventsDropped)
            ($events | Where-Object Type -eq 'transcript.final').Text | Should -Be 'kept'
            $warnings | Should -HaveCount 1
            $warnings[0].Message | Should -Match 'MaxBufferMB'
            $moreWarnings | Should -HaveCount 0
            $again | Should -HaveCount 0
            $stream | Disconnect-KallglotStream
        }

        It 'a 50 MB message is skipped as it is read, and the events after it arrive' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/raw" -Body @{ bytes = 50000000 } | Out-Null
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json '{"type":"transcript.final","text":"after the big one"}' | Out-Null
            Invoke-SessionControl $stream.SessionId 'end'

            $events = Receive-KallglotStream $stream -Wait -TimeoutSec 60 -ErrorVariable streamErrors -ErrorAction SilentlyContinue

            $streamErrors.FullyQualifiedErrorId | Should -Be "message_too_large,$receive"
            $streamErrors[0].Exception.Message | Should -Match '50000000 bytes'
            ($events | Where-Object Type -eq 'transcript.final').Text | Should -Be 'after the big one'
        }

        It 'a recording that cannot be written ends the stream with stream_record_failed instead of a silent stall (Linux: /dev/full)' -Skip:(-not $IsLinux) {
            # /dev/full answers every write with "no space left on device", as a full disk does.
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath '/dev/full' -Append

            $thrown = { Receive-KallglotStream $stream -Wait -TimeoutSec 20 } | Should -Throw -ErrorId "stream_record_failed,$receive" -PassThru

            $thrown.Exception.Message | Should -Match 'No space left on device'
            $thrown.Exception.Message | Should -Match 'RecordPath'
            $stream.State | Should -Be 'Failed'
        }

        It 'a second Receive-KallglotStream while one is reading gets stream_busy' {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            $runner = [powershell]::Create()
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $runner.AddScript({ param($ModulePath, $Stream) Import-Module $ModulePath; Receive-KallglotStream -Stream $Stream -Wait }).AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument($stream)
            try {
                $null = $runner.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
                Wait-Until -Because 'the first receive to be reading' { $output.Count -ge 1 }

                $thrown = { Receive-KallglotStream $stream } | Should -Throw -ErrorId "stream_busy,$receive" -PassThru

                $thrown.CategoryInfo.Category | Should -Be 'InvalidOperation'
            }
            finally {
                # Stopped whatever the outcome: a receive left waiting would outlive the test.
                $runner.Stop()
                $runner.Dispose()
                $stream | Disconnect-KallglotStream
            }
        }
    }
}

Describe 'A stream that ends on its own' {
    It 'is not kept by the module once its session has ended, though Disconnect-KallglotStream was never called' {
        # A job running thousands of calls need not disconnect each: an ended stream nobody refers to any more is let go.
        $released = & {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
            Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null
            $null = Receive-KallglotStream $stream -Wait -TimeoutSec 20
            $stream.Completion.Wait([TimeSpan]::FromSeconds(20)) | Should -BeTrue
            [WeakReference]::new($stream)
        }

        # The module lets go once the stream's completion has run its continuations, on the thread pool: collected until then.
        Wait-Until -TimeoutSec 10 -Because 'the ended stream to be collected' { [GC]::Collect(); [GC]::WaitForPendingFinalizers(); -not $released.IsAlive }

        $released.IsAlive | Should -BeFalse
    }
}
