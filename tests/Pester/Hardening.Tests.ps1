# What a line-by-line review found: secrets in escaped JSON, completions a server could inject into,
# an incoherent context, files replaced without asking, and a stop that ignored Ctrl+C.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -IdleTimeoutSeconds 600
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:receive = 'Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'
    $script:export = 'Kallglot.PowerShell.Commands.ExportKallglotTranscriptCommand'
    $script:connectStream = 'Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'

    function Set-EmulatorBehaviour([hashtable] $Behaviour) {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body $Behaviour | Out-Null
    }
    function Send-EmulatorEvents([string] $SessionId, [string] $Json) {
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$SessionId/events" -Json $Json | Out-Null
    }
    function Get-EscapedForms([string] $Secret) {
        # Every way a JSON encoder may write the secret: as it is, with \/ and with \uXXXX escapes.
        $Secret
        $Secret.Replace('/', '\/')
        ($Secret.ToCharArray() | ForEach-Object { if ($_ -match '[A-Za-z0-9_-]') { $_ } else { '\u{0:X4}' -f [int]$_ } }) -join ''
        ($Secret.ToCharArray() | ForEach-Object { if ($_ -match '[A-Za-z0-9_-]') { $_ } else { '\u{0:x4}' -f [int]$_ } }) -join ''
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Secrets in JSON escaped another way' {
    AfterEach {
        Set-EmulatorBehaviour @{ jsonEscaping = 'Minimal'; tokenAlphabet = 'UrlSafe'; echoTokenInEvents = $false }
    }

    It 'masks a token written with \u002B and \/ in the session, its events and the recording' {
        Set-EmulatorBehaviour @{ jsonEscaping = 'Strict'; tokenAlphabet = 'Base64'; echoTokenInEvents = $true }
        $record = Join-Path $TestDrive 'escaped.jsonl'
        $session = New-KallglotSession -PhoneNumber '+14155550100'
        $token = Get-StreamTokenForTest $session
        $stream = $session | Connect-KallglotStream -RecordPath $record
        # Ended only once session.ready has left: an end that overtakes it would leave no ready event to check.
        Wait-Until -Because 'session.ready to be sent' { (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($session.Id)" -Method GET).eventsSent -ge 1 }
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($session.Id)/end" | Out-Null

        $events = @(Receive-KallglotStream $stream -Wait -TimeoutSec 20)
        $stream | Disconnect-KallglotStream

        $token | Should -Match '[+/]' -Because 'the test needs a token its encoder escapes'
        $ready = $events | Where-Object Type -eq 'session.ready'
        $ready.Raw['stream_token'] | Should -Be '***'
        $ready.Raw['websocket_url'] | Should -Match 'token=\*\*\*'
        $session.Raw['stream_token'] | Should -Be '***'
        $everything = @(
            ($session.Raw | ConvertTo-Json -Depth 10)
            $session | Format-List * | Out-String
            ($events | ForEach-Object { $_.Json; ($_.Raw | ConvertTo-Json -Depth 10) })
            Get-Content -Raw $record
        ) -join "`n"
        foreach ($form in Get-EscapedForms $token) {
            $everything.Contains($form) | Should -BeFalse -Because "the token must not show, also not as '$($form.Substring(0, 4))...'"
        }
    }
}

Describe 'Tab completion of values a server chose' {
    It 'quotes a speaker label with curly quotes so the completed line runs no code: <Label>' -ForEach @(
        @{ Label = "x" + [char]0x2019 + "; Remove-Item -Recurse ./ ; " + [char]0x2018 }
        @{ Label = "a'b" + [char]0x201B + "c" }
        @{ Label = 'c$(Get-Date)`n@x' }
    ) {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId (@{ type = 'transcript.partial'; speaker = $Label; text = 'hi' } | ConvertTo-Json -Compress)
        Wait-Until -Because 'the partial to arrive' { $stream.EventsPending -ge 2 }
        $null = Receive-KallglotStream $stream
        $stream | Disconnect-KallglotStream
        $input = "Send-KallglotAudio -Path x.wav -Speaker $($Label.Substring(0, 1))"

        $completion = (TabExpansion2 -inputScript $input -cursorColumn $input.Length).CompletionMatches | Where-Object ListItemText -eq $Label
        $line = "Send-KallglotAudio -Speaker $($completion.CompletionText)"
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref] $null, [ref] $errors)

        $completion | Should -Not -BeNullOrEmpty
        $errors | Should -BeNullOrEmpty
        $elements = $ast.EndBlock.Statements[0].PipelineElements
        $elements | Should -HaveCount 1
        $elements[0].CommandElements | Should -HaveCount 3
        $elements[0].CommandElements[2].Value | Should -BeExactly $Label
    }
}

Describe 'Connect-Kallglot changes only what it names' {
    AfterAll {
        Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    }

    It 'keeps an insecure endpoint and its allowance when only the key changes' {
        # Nothing is sent to this address: only the context is read.
        Connect-Kallglot -BaseUri 'http://10.20.30.40:8080' -AllowInsecureConnection -ApiKey (ConvertTo-SecureString 'kg_first' -AsPlainText -Force)
        Connect-Kallglot -ApiKey (ConvertTo-SecureString 'kg_second' -AsPlainText -Force)

        $context = Get-KallglotContext

        $context.BaseUri | Should -Be ([Uri]'http://10.20.30.40:8080')
        $context.AllowInsecureConnection | Should -BeTrue
    }

    It 'refuses to drop the allowance an insecure endpoint needs' {
        Connect-Kallglot -BaseUri 'http://10.20.30.40:8080' -AllowInsecureConnection

        { Connect-Kallglot -AllowInsecureConnection:$false } | Should -Throw -ErrorId 'insecure_connection_refused,Kallglot.PowerShell.Commands.ConnectKallglotCommand'
        (Get-KallglotContext).AllowInsecureConnection | Should -BeTrue
    }

    It 'gives a new endpoint its own allowance: off unless asked' {
        Connect-Kallglot -BaseUri 'http://10.20.30.40:8080' -AllowInsecureConnection
        Connect-Kallglot -BaseUri 'http://127.0.0.1:9'

        (Get-KallglotContext).AllowInsecureConnection | Should -BeFalse
    }

    It 'gives one call''s -BaseUri its own allowance too: the key is not sent in clear to another endpoint' {
        Connect-Kallglot -BaseUri 'http://10.20.30.40:8080' -AllowInsecureConnection

        # 192.0.2.1 is reserved for documentation: were the request sent, it would time out instead of being refused.
        $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri 'http://192.0.2.1' -TimeoutSec 2 -MaxRetry 0 } |
            Should -Throw -ErrorId 'insecure_connection_refused,Kallglot.PowerShell.Commands.NewKallglotSessionCommand' -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'gives a session created against another endpoint its own stream allowance: the token is not sent in clear' {
        Connect-Kallglot -BaseUri 'http://10.20.30.40:8080' -AllowInsecureConnection
        # Sessions as the API would have returned them, one from the context's endpoint and one from elsewhere; nothing is created.
        $create = [Kallglot.Sessions.KallglotSession].GetConstructors([Reflection.BindingFlags]'NonPublic,Instance')[0]
        $expiry = [Kallglot.Sessions.KallglotSession].GetProperty('TokenExpiresAt')
        $elsewhere = $create.Invoke(@('sess_elsewhere', [uri]'ws://192.0.2.1/v1/sessions/sess_elsewhere/connect', $null, [uri]'http://192.0.2.1'))
        $own = $create.Invoke(@('sess_own', [uri]'ws://10.20.30.40:8080/v1/sessions/sess_own/connect', $null, [uri]'http://10.20.30.40:8080'))
        $expiry.SetValue($elsewhere, [DateTimeOffset]::UtcNow.AddMinutes(5))
        $expiry.SetValue($own, [DateTimeOffset]::UtcNow.AddMinutes(5))

        { $elsewhere | Connect-KallglotStream -TimeoutSec 2 } | Should -Throw -ErrorId 'insecure_connection_refused,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'
        $ownError = { $own | Connect-KallglotStream -TimeoutSec 1 } | Should -Throw -PassThru
        $ownError.FullyQualifiedErrorId | Should -Not -Match 'insecure_connection_refused' -Because 'the context allowed its own endpoint, and its sessions with it'
    }

    It 'refuses a WebSocket URL as the API endpoint, saying the API is http(s)' {
        $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri 'ws://127.0.0.1:9' } |
            Should -Throw -ErrorId 'invalid_base_uri,Kallglot.PowerShell.Commands.NewKallglotSessionCommand' -PassThru
        $thrown.Exception.Message | Should -Match 'http\(s\)'
        { Connect-Kallglot -BaseUri 'wss://api.example.test' } | Should -Throw -ErrorId 'invalid_base_uri,Kallglot.PowerShell.Commands.ConnectKallglotCommand'
    }

    It 'refuses to fall back to the production API when KALLGLOT_BASE_URL cannot be read, and Get-KallglotContext says so' {
        Disconnect-Kallglot
        $saved = $env:KALLGLOT_BASE_URL
        $env:KALLGLOT_BASE_URL = '127.0.0.1:5000'
        try {
            $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -ApiKey (ConvertTo-SecureString 'kg_test' -AsPlainText -Force) } |
                Should -Throw -ErrorId 'invalid_base_uri,Kallglot.PowerShell.Commands.NewKallglotSessionCommand' -PassThru
            $thrown.Exception.Message | Should -Match 'KALLGLOT_BASE_URL'
            (Get-KallglotContext).BaseUriSource | Should -Match 'KALLGLOT_BASE_URL unreadable'
        }
        finally {
            $env:KALLGLOT_BASE_URL = $saved
        }
    }

    It 'does not show a token typed into Invoke-KallglotRequest -Path in the error' {
        # Against the emulator: a machine with KALLGLOT_API_KEY set must not send it anywhere else.
        Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
        $thrown = { Invoke-KallglotRequest -Path '/v1/nothing-here?token=typed-secret-value' } | Should -Throw -PassThru

        ($thrown | Format-List * -Force | Out-String) + $thrown.TargetObject + $thrown.CategoryInfo | Should -Not -Match 'typed-secret-value'
    }

    It 'does not show a secret typed into an absolute -Path or a -Body that is not JSON in the error: <Name>' -ForEach @(
        @{ Name = 'absolute URL'; ErrorId = 'invalid_path'; Run = { Invoke-KallglotRequest -Path 'https://elsewhere.example/v1/x?api_key=typed-secret-value' } }
        @{ Name = 'body'; ErrorId = 'invalid_body'; Run = { Invoke-KallglotRequest -Method POST -Path '/v1/sessions' -Body '{"sip_password":"typed-secret-value",}' } }
    ) {
        Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
        $thrown = $Run | Should -Throw -ErrorId "$ErrorId,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand" -PassThru

        ($thrown | Format-List * -Force | Out-String) + $thrown.TargetObject + $thrown.Exception.Message | Should -Not -Match 'typed-secret-value'
    }
}

Describe 'Files a user already has are never destroyed without asking' {
    BeforeEach {
        $script:precious = 'precious content, not a recording'
    }

    It '-RecordPath refuses an existing file, leaves it intact and opens no stream' {
        $path = Join-Path $TestDrive 'existing.jsonl'
        Set-Content -Path $path -Value $precious -NoNewline
        $session = New-KallglotSession -PhoneNumber '+14155550100'

        $thrown = { $session | Connect-KallglotStream -RecordPath $path } | Should -Throw -ErrorId "output_file_exists,$connectStream" -PassThru

        $thrown.CategoryInfo.Category | Should -Be 'ResourceExists'
        $thrown.Exception.Message | Should -Match '-Force'
        Get-Content -Raw $path | Should -BeExactly $precious
        (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($session.Id)" -Method GET).handshakes | Should -Be 0
    }

    It '-RecordPath -Append adds to a recording and -Force replaces it' {
        $path = Join-Path $TestDrive 'grow.jsonl'
        foreach ($i in 1, 2) {
            $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath $path -Append
            Wait-Until -Because 'session.ready, recorded' { $stream.EventsPending -ge 1 }
            $stream | Disconnect-KallglotStream
        }
        $appended = @(Get-Content $path | ConvertFrom-Json | Where-Object { $_.frame.type -eq 'session.ready' }).Count
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath $path -Force
        Wait-Until -Because 'session.ready, recorded' { $stream.EventsPending -ge 1 }
        $stream | Disconnect-KallglotStream

        $appended | Should -Be 2
        @(Get-Content $path | ConvertFrom-Json | Where-Object { $_.frame.type -eq 'session.ready' }).Count | Should -Be 1
    }

    It 'refuses -Force with -Append' {
        { New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream -RecordPath (Join-Path $TestDrive 'both.jsonl') -Force -Append } |
            Should -Throw -ErrorId "force_and_append,$connectStream"
    }

    It '-AudioOutputPath refuses an existing file, and -Force replaces it' {
        $path = Join-Path $TestDrive 'existing.wav'
        Set-Content -Path $path -Value $precious -NoNewline
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream

        { Receive-KallglotStream $stream -AudioOutputPath $path } | Should -Throw -ErrorId "output_file_exists,$receive"
        Get-Content -Raw $path | Should -BeExactly $precious
        $null = Receive-KallglotStream $stream -AudioOutputPath $path -Force
        $stream | Disconnect-KallglotStream

        [System.IO.File]::ReadAllBytes($path)[0..3] | Should -Be ([byte[]][char[]]'RIFF')
    }

    It 'a second receive with the same -AudioOutputPath on the same stream continues the file, never truncating it' {
        $path = Join-Path $TestDrive 'continued.wav'
        $frame = @{ type = 'audio.output'; audio = @{ encoding = 'mulaw'; sample_rate_hz = 8000; payload = [Convert]::ToBase64String([byte[]]::new(160)) } }
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId (@($frame, $frame) | ConvertTo-Json -Depth 5)
        Wait-Until -Because 'two audio frames' { $stream.EventsPending -ge 3 }
        $null = Receive-KallglotStream $stream -AudioOutputPath $path
        Send-EmulatorEvents $stream.SessionId (@($frame, $frame, $frame) | ConvertTo-Json -Depth 5)
        Wait-Until -Because 'three more audio frames' { $stream.EventsPending -ge 3 }
        $null = Receive-KallglotStream $stream -AudioOutputPath $path
        $stream | Disconnect-KallglotStream
        $null = Receive-KallglotStream $stream -AudioOutputPath $path

        $bytes = [System.IO.File]::ReadAllBytes($path)
        $data = [System.Text.Encoding]::ASCII.GetString($bytes, 0, 80).IndexOf('data')
        # 5 frames of 160 mu-law samples, 2 bytes each as PCM, after the header.
        [BitConverter]::ToInt32($bytes, $data + 4) | Should -Be (5 * 160 * 2)
        $bytes.Length | Should -Be ($data + 8 + 5 * 160 * 2)
    }

    It 'Export-KallglotTranscript refuses an existing file, -Append continues its numbering and -Force replaces it' {
        $path = Join-Path $TestDrive 'calls.srt'
        Set-Content -Path $path -Value $precious -NoNewline
        $final = { param($Text) [Kallglot.Streaming.EventParser]::Parse((@{ type = 'transcript.final'; speaker = 'caller'; text = $Text } | ConvertTo-Json -Compress), 's', 1, [DateTimeOffset]::UtcNow) }

        { & $final 'one' | Export-KallglotTranscript -Path $path } | Should -Throw -ErrorId "output_file_exists,$export"
        Get-Content -Raw $path | Should -BeExactly $precious
        & $final 'one' | Export-KallglotTranscript -Path $path -Force
        & $final 'two' | Export-KallglotTranscript -Path $path -Append
        $lines = Get-Content $path

        $lines[0] | Should -Be '1'
        $lines | Should -Contain 'caller: one'
        $lines | Should -Contain 'caller: two'
        $lines | Should -Contain '2'
        $lines | Should -Not -Contain $precious
    }
}

Describe 'Edges' {
    It 'returns a paid-for session whose expiry is out of range, with a warning' {
        Set-EmulatorBehaviour @{ responseShape = 'Canonical' }
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ expiryOverride = 1.7e15 } | Out-Null
        try {
            $session = New-KallglotSession -PhoneNumber '+14155550100' -WarningVariable warnings -WarningAction SilentlyContinue
        }
        finally {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ expiryOverride = $null } | Out-Null
        }

        $session.Id | Should -Match '^sess_'
        $session.TokenExpirySource | Should -Be 'unreadable'
        ($session.TokenExpiresAt - $session.CreatedAt).TotalMinutes | Should -BeGreaterThan 4.9
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match "$($session.Id).*could not be read"
    }

    It 'refuses a response body over the limit with response_too_large instead of reading it' {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/faults' -Body @{ status = 200; bodyBytes = 50000000 } | Out-Null

        $thrown = { Invoke-KallglotRequest -Method Get -Path '/v1/sessions/sess_any' } | Should -Throw -ErrorId 'response_too_large,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand' -PassThru

        $thrown.CategoryInfo.Category | Should -Be 'ProtocolError'
        $thrown.Exception.Message | Should -Match '4194304-byte limit'
    }

    It 'Stop-KallglotEmulator ends at once on Ctrl+C, and the process is gone' {
        $stuck = Start-KallglotEmulator -NoAudioPacing
        $runner = [powershell]::Create()
        try {
            # An emulator that takes 30 s to shut down, as a server with work to finish does.
            Invoke-EmulatorControl -Emulator $stuck -Path '/_emulator/config' -Body @{ shutdownDelaySeconds = 30 } | Out-Null
            $verbose = $runner.Streams.Verbose
            $null = $runner.AddScript({ param($ModulePath, $Emulator) Import-Module $ModulePath; Stop-KallglotEmulator -Emulator $Emulator -Verbose }).AddArgument((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1')).AddArgument($stuck)
            $null = $runner.BeginInvoke()
            Wait-Until -Because 'the stop to be waiting for the emulator' { $verbose.Count -ge 1 }

            $elapsed = Measure-Command { $runner.Stop() }

            $elapsed.TotalSeconds | Should -BeLessThan 3
            $stuck.IsRunning | Should -BeFalse
            $stuck.ProcessId | Should -BeGreaterThan 0 -Because 'a stopped emulator still shows which process it was'
        }
        finally {
            $runner.Dispose()
            # A stop that failed leaves no emulator behind either.
            if ($stuck.IsRunning) { Stop-Process -Id $stuck.ProcessId -Force -ErrorAction SilentlyContinue }
        }
    }
}

Describe 'Every table the demo and README show fits 80 columns' {
    BeforeAll {
        function Assert-FitsEightyColumns([object[]] $InputObject, [string[]] $Headers) {
            # A console of 80 columns formats its tables to 79: the host keeps the last column free (a table 80 wide had its
            # last header wrapped there, though Out-String -Width 80 showed it whole).
            $table = $InputObject | Format-Table | Out-String -Width 79
            $lines = $table -split "`r?`n" | Where-Object { $_.Trim() }
            $lines | Where-Object { $_.Length -gt 79 } | Should -BeNullOrEmpty
            # A header squeezed into one letter a line would not appear whole on the header line.
            foreach ($header in $Headers) { $lines[0] | Should -Match "\b$([regex]::Escape($header))\b" }
        }
    }

    It 'the session, as the demo and README show it' {
        $session = New-KallglotSession -PhoneNumber '+14155550100' -SourceLanguage en -TargetLanguage es

        Assert-FitsEightyColumns $session -Headers 'Id', 'Status', 'Provider', 'Languages', 'TokenExpires', 'Credits'
        ($session | Format-Table | Out-String -Width 79) | Should -Match ([regex]::Escape($session.Id)) -Because 'the whole id shows'
    }

    It 'the stream, reconnections and finals (a long one wraps in its columns)' {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        Send-EmulatorEvents $stream.SessionId '{"type":"transcript.final","speaker":"caller","text":"Hello, thank you for calling. I would like to check the status of my order.","translation":{"text":"Hola, gracias por llamar. Quisiera consultar el estado de mi pedido.","language":"es"}}'
        # Dropped only once the final is in: a drop that overtook it would lose it on the server's side.
        Wait-Until -Because 'the final to arrive after session.ready' { $stream.EventsReceived -ge 2 }
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/drop" | Out-Null
        # EventsPending, not EventsReceived: an event is counted received as it is read off the socket, a moment before it can be
        # read from the stream. The announcement follows the final and precedes the new connection's session.ready.
        Wait-Until -Because 'the reconnection, announced' { $stream.Reconnects -eq 1 -and $stream.EventsPending -ge 3 }
        $events = @(Receive-KallglotStream $stream)
        $final = $events | Where-Object Type -eq 'transcript.final'
        $reconnected = $events | Where-Object Type -eq 'stream.reconnected'

        Assert-FitsEightyColumns $stream -Headers 'SessionId', 'State', 'Events', 'FramesSent', 'EndReason'
        ($stream | Format-Table | Out-String -Width 79) | Should -Match ([regex]::Escape($stream.SessionId)) -Because 'the whole id shows'
        Assert-FitsEightyColumns $final -Headers 'Time', 'Speaker', 'Text', 'Translation'
        Assert-FitsEightyColumns $reconnected -Headers 'Time', 'Type', 'GapMs', 'Attempts', 'NotSent'
        $stream | Disconnect-KallglotStream
    }

    It 'the summary of an hour of audio sent in real time, and of the background sends of a stream' {
        $pacing = [Kallglot.Pacing.PacingDeviation]::new()
        $pacing.Add([TimeSpan]::FromMilliseconds(12.5))
        $summary = [Kallglot.Audio.AudioSendResult]@{
            SessionId = 'sess_83fcd0b6c042a19c5bf7bc12'; Path = '/calls/a-long-recording-of-a-call.wav'; SourceFormat = 'PCM 16-bit 8000 Hz mono'
            Speaker = 'caller'; Frames = 180000; Bytes = 28800000; AudioDuration = [TimeSpan]::FromHours(1); Elapsed = [TimeSpan]::FromSeconds(3600.4)
            Paced = $true; Pacing = $pacing
        }

        Assert-FitsEightyColumns $summary -Headers 'SessionId', 'Speaker', 'Frames', 'Audio', 'Elapsed', 'Pacing p99'
        $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
        $null = $stream | Send-KallglotAudio -Path (New-ToneWav (Join-Path $TestDrive 'a-call-recorded-with-a-long-name.wav') -Rate 8000 -Seconds 0.2) -Background -NoPacing
        Wait-Until -Because 'the send to finish' { $stream.BackgroundSends[0].Status -ne 'Playing' }
        Assert-FitsEightyColumns $stream.BackgroundSends -Headers 'File', 'Speaker', 'Status', 'Done', 'Pacing p99'
        $stream | Disconnect-KallglotStream
    }
}
