# Every bad input a user can give, each with the stable error id it must produce. None may show a
# .NET stack trace as its message, hang, or send a request to the server.
BeforeDiscovery {
    $script:cases = @(
        @{ Name = 'phone number without +'; ErrorId = 'invalid_phone_number,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '4155550100' -ErrorAction Stop } }
        @{ Name = 'phone number with spaces'; ErrorId = 'invalid_phone_number,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+1 415 555 0100' -ErrorAction Stop } }
        @{ Name = 'phone number of one +'; ErrorId = 'invalid_phone_number,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+' -ErrorAction Stop } }
        @{ Name = 'phone number too long'; ErrorId = 'invalid_phone_number,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+1415555010012345' -ErrorAction Stop } }
        @{ Name = 'empty phone number'; ErrorId = 'ParameterArgumentValidationErrorEmptyStringNotAllowed,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '' } }
        @{ Name = 'blank connection id'; ErrorId = 'invalid_connection_id,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -ConnectionId '   ' -ErrorAction Stop } }
        @{ Name = 'empty SIP hashtable'; ErrorId = 'invalid_routing,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -Sip @{} -ErrorAction Stop } }
        @{ Name = 'SIP with a connection id too'; ErrorId = 'invalid_routing,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -Sip @{ sip_uri = 'sip:a@example.com'; connection_id = 'c' } -ErrorAction Stop } }
        @{ Name = 'SIP with a provider'; ErrorId = 'provider_not_supported,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -Sip @{ sip_uri = 'sip:a@example.com'; provider = 'twilio' } -ErrorAction Stop } }
        @{ Name = 'provider in -Property'; ErrorId = 'provider_not_supported,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -Property @{ provider = @{ type = 'twilio' } } -ErrorAction Stop } }
        @{ Name = 'Provider in -Property, other case'; ErrorId = 'provider_not_supported,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -Property @{ Provider = 'twilio' } -ErrorAction Stop } }
        @{ Name = 'routing in -Property'; ErrorId = 'reserved_property,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -Property @{ routing = @{} } -ErrorAction Stop } }
        @{ Name = 'a language in -Property'; ErrorId = 'reserved_property,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -Property @{ source_language = 'en' } -ErrorAction Stop } }
        @{ Name = 'language as a word'; ErrorId = 'invalid_language,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -SourceLanguage 'english' -ErrorAction Stop } }
        @{ Name = 'language of one letter'; ErrorId = 'invalid_language,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage 'e' -ErrorAction Stop } }
        @{ Name = 'language with underscore'; ErrorId = 'invalid_language,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage 'en_US' -ErrorAction Stop } }
        @{ Name = 'two routing kinds'; ErrorId = 'AmbiguousParameterSet,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -ConnectionId 'c' } }
        @{ Name = 'clear-text remote endpoint'; ErrorId = 'insecure_connection_refused,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri 'http://api.example.test' } }
        @{ Name = 'endpoint of another scheme'; ErrorId = 'invalid_base_uri,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri 'ftp://api.example.test' } }
        @{ Name = 'retries out of range'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -MaxRetry 99 } }
        @{ Name = 'timeout of zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -TimeoutSec 0 } }
        @{ Name = 'Connect-Kallglot with nothing'; ErrorId = 'connect_nothing_given,Kallglot.PowerShell.Commands.ConnectKallglotCommand'; Run = { Connect-Kallglot } }
        @{ Name = 'Connect-Kallglot to a clear-text remote'; ErrorId = 'insecure_connection_refused,Kallglot.PowerShell.Commands.ConnectKallglotCommand'; Run = { Connect-Kallglot -BaseUri 'http://api.example.test' } }
        @{ Name = 'Connect-Kallglot with an empty key'; ErrorId = 'api_key_empty,Kallglot.PowerShell.Commands.ConnectKallglotCommand'; Run = { Connect-Kallglot -ApiKey ([securestring]::new()) } }
        @{ Name = 'Connect-Kallglot with a key of spaces'; ErrorId = 'api_key_empty,Kallglot.PowerShell.Commands.ConnectKallglotCommand'; Run = { Connect-Kallglot -ApiKey (ConvertTo-SecureString '   ' -AsPlainText -Force) } }
        @{ Name = 'a call with a key of spaces'; ErrorId = 'api_key_empty,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -ApiKey (ConvertTo-SecureString "`t " -AsPlainText -Force) } }
        @{ Name = 'request to an absolute URL'; ErrorId = 'invalid_path,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand'; Run = { Invoke-KallglotRequest -Path 'https://elsewhere.example/v1/x' } }
        @{ Name = 'request body that is not JSON'; ErrorId = 'invalid_body,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand'; Run = { Invoke-KallglotRequest -Method POST -Path '/v1/sessions' -Body 'not json {' } }
        @{ Name = 'request with an unknown method'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand'; Run = { Invoke-KallglotRequest -Method TRACE -Path '/v1/sessions' } }
        @{ Name = 'connect without a session'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { Connect-KallglotStream -Session $null } }
        @{ Name = 'connect with an expired token'; ErrorId = 'stream_token_expired,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $expired | Connect-KallglotStream } }
        @{ Name = 'recording into a missing folder'; ErrorId = 'record_path_unwritable,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $fresh | Connect-KallglotStream -RecordPath '/no/such/folder/call.jsonl' } }
        @{ Name = 'connect timeout of zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $fresh | Connect-KallglotStream -TimeoutSec 0 } }
        @{ Name = 'keep-alive below zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $fresh | Connect-KallglotStream -KeepAliveSec -1 } }
        @{ Name = 'event buffer of zero MB'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $fresh | Connect-KallglotStream -MaxBufferMB 0 } }
        @{ Name = 'recording with -Force and -Append'; ErrorId = 'force_and_append,Kallglot.PowerShell.Commands.ConnectKallglotStreamCommand'; Run = { $fresh | Connect-KallglotStream -RecordPath (Join-Path $TestDrive 'both.jsonl') -Force -Append } }
        @{ Name = 'disconnect timeout of zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.DisconnectKallglotStreamCommand'; Run = { $open | Disconnect-KallglotStream -TimeoutSec 0 } }
        @{ Name = 'throttle of zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -ThrottleLimit 0 } }
        @{ Name = 'negative command budget'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -MaxCredits -1 } }
        @{ Name = 'command budget of zero'; ErrorId = 'credit_budget_exhausted,Kallglot.PowerShell.Commands.NewKallglotSessionCommand'; Run = { New-KallglotSession -PhoneNumber '+14155550100' -MaxCredits 0 -ErrorAction Stop } }
        @{ Name = 'negative process budget'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ConnectKallglotCommand'; Run = { Connect-Kallglot -MaxCredits -1 } }
        @{ Name = 'unknown session status'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.GetKallglotSessionCommand'; Run = { Get-KallglotSession -Status Bogus } }
        @{ Name = 'recording that does not exist'; ErrorId = 'recording_not_found,Kallglot.PowerShell.Commands.ImportKallglotRecordingCommand'; Run = { Import-KallglotRecording -Path (Join-Path $TestDrive 'missing.jsonl') -ErrorAction Stop } }
        @{ Name = 'transcript export with -Force and -Append'; ErrorId = 'force_and_append,Kallglot.PowerShell.Commands.ExportKallglotTranscriptCommand'; Run = { @() | Export-KallglotTranscript -Path (Join-Path $TestDrive 'both.srt') -Force -Append } }
        @{ Name = 'audio file missing'; ErrorId = 'audio_file_not_found,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path (Join-Path $TestDrive 'missing.wav') } }
        @{ Name = 'audio file empty'; ErrorId = 'audio_file_empty,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Empty } }
        @{ Name = 'audio file not a WAV'; ErrorId = 'audio_not_wav,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Text } }
        @{ Name = 'WAV header only'; ErrorId = 'audio_file_empty,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.HeaderOnly } }
        @{ Name = 'WAV of an unsupported codec'; ErrorId = 'unsupported_audio_encoding,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Adpcm } }
        @{ Name = 'WAV of six channels'; ErrorId = 'unsupported_channel_count,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.SixChannels } }
        @{ Name = 'WAV truncated in its header'; ErrorId = 'audio_not_wav,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Truncated } }
        @{ Name = 'empty speaker'; ErrorId = 'invalid_speaker,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Good -Speaker '' } }
        @{ Name = 'blank speaker'; ErrorId = 'invalid_speaker,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Good -Speaker "`t " } }
        @{ Name = 'speaker with half a surrogate pair'; ErrorId = 'invalid_speaker,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Good -Speaker "agent $([char]0xD800)" } }
        @{ Name = 'frame length out of range'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Good -FrameMilliseconds 7 } }
        @{ Name = 'event type filter that is empty'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'; Run = { $open | Receive-KallglotStream -Type '' } }
        @{ Name = 'unknown encoding'; ErrorId = 'CannotConvertArgumentNoMessage,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $open | Send-KallglotAudio -Path $files.Good -Encoding Opus } }
        @{ Name = 'sending on a closed stream'; ErrorId = 'stream_closed,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $closed | Send-KallglotAudio -Path $files.Good } }
        @{ Name = 'sending after session.ended'; ErrorId = 'stream_closed,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { $ended | Send-KallglotAudio -Path $files.Good } }
        @{ Name = 'sending without a stream'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.SendKallglotAudioCommand'; Run = { Send-KallglotAudio -Stream $null -Path $files.Good } }
        @{ Name = 'translated audio into a missing folder'; ErrorId = 'audio_output_unwritable,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'; Run = { $open | Receive-KallglotStream -AudioOutputPath '/no/such/folder/out.wav' } }
        @{ Name = 'receive without a stream'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'; Run = { Receive-KallglotStream -Stream $null } }
        @{ Name = 'receive timeout below zero'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'; Run = { $open | Receive-KallglotStream -Wait -TimeoutSec -1 } }
        @{ Name = 'receive timeout past what a timer holds'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.ReceiveKallglotStreamCommand'; Run = { $open | Receive-KallglotStream -Wait -TimeoutSec ([int]::MaxValue) } }
        @{ Name = 'disconnect without a stream'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.DisconnectKallglotStreamCommand'; Run = { Disconnect-KallglotStream -Stream $null } }
        @{ Name = 'emulator script missing'; ErrorId = 'script_not_found,Kallglot.PowerShell.Commands.StartKallglotEmulatorCommand'; Run = { Start-KallglotEmulator -ScriptPath (Join-Path $TestDrive 'none.json') } }
        @{ Name = 'stopping a null emulator'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.StopKallglotEmulatorCommand'; Run = { Stop-KallglotEmulator -Emulator $null } }
        @{ Name = 'emulator port out of range'; ErrorId = 'ParameterArgumentValidationError,Kallglot.PowerShell.Commands.StartKallglotEmulatorCommand'; Run = { Start-KallglotEmulator -Port 70000 } }
    )
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -IdleTimeoutSeconds 600
    $script:shortLived = Start-KallglotEmulator -TokenTtlSeconds 1
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey

    # What the cases act on, made before counting what reaches the server.
    $script:expired = New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $shortLived.BaseUri -ApiKey $shortLived.ApiKey
    $script:fresh = New-KallglotSession -PhoneNumber '+14155550100'
    $script:open = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
    $script:closed = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream | Disconnect-KallglotStream -PassThru
    $script:ended = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
    Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($ended.SessionId)/end" | Out-Null
    $null = Receive-KallglotStream $ended -Wait -TimeoutSec 20
    Wait-Until -Because 'the first session token to expire' { $expired.IsTokenExpired }

    $good = Join-Path $TestDrive 'good.wav'
    # A canonical 44-byte header of 8 kHz 16-bit mono PCM holding 16,000 bytes (1 s) of silence.
    $header = [byte[]](0x52,0x49,0x46,0x46,0xA4,0x3E,0,0,0x57,0x41,0x56,0x45,0x66,0x6D,0x74,0x20,16,0,0,0,1,0,1,0,0x40,0x1F,0,0,0x80,0x3E,0,0,2,0,16,0,0x64,0x61,0x74,0x61,0x80,0x3E,0,0)
    $body = [byte[]]::new(16000)
    [System.IO.File]::WriteAllBytes($good, $header + $body)
    $script:files = @{
        Good = $good
        Empty = (New-Item -ItemType File (Join-Path $TestDrive 'empty.wav')).FullName
        Text = Join-Path $TestDrive 'text.wav'
        HeaderOnly = Join-Path $TestDrive 'header-only.wav'
        Adpcm = Join-Path $TestDrive 'adpcm.wav'
        SixChannels = Join-Path $TestDrive 'six.wav'
        Truncated = Join-Path $TestDrive 'truncated.wav'
    }
    Set-Content -Path $files.Text -Value 'words, not audio'
    $headerOnly = [byte[]]$header.Clone(); $headerOnly[4] = 0x24; $headerOnly[5] = 0; $headerOnly[40] = 0; $headerOnly[41] = 0
    [System.IO.File]::WriteAllBytes($files.HeaderOnly, $headerOnly)
    $adpcm = $header + $body; $adpcm[20] = 2
    [System.IO.File]::WriteAllBytes($files.Adpcm, $adpcm)
    $six = $header + $body; $six[22] = 6; $six[32] = 12
    [System.IO.File]::WriteAllBytes($files.SixChannels, $six)
    [System.IO.File]::WriteAllBytes($files.Truncated, $header[0..17])

    $script:requestsBefore = @{ Sessions = Get-EmulatorSessionCount $emulator; Credits = Get-EmulatorCreditsUsed $emulator; Frames = (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($open.SessionId)" -Method GET).framesReceived }
}

AfterAll {
    $open | Disconnect-KallglotStream
    Disconnect-Kallglot
    $emulator, $shortLived | Stop-KallglotEmulator
}

Describe 'Bad input' {
    It '<Name> gives <ErrorId>' -ForEach $cases {
        $record = $null
        try { & $Run } catch { $record = $_ }

        $record | Should -Not -BeNullOrEmpty -Because 'bad input must fail'
        $record.FullyQualifiedErrorId | Should -Be $ErrorId
        $record.Exception.Message | Should -Not -Match '\bat [\w.`<>]+\(' -Because 'a message is for a person, not a stack trace'
        $record.Exception.Message.Length | Should -BeGreaterThan 20
    }

    It 'sent nothing to the server for any of them' {
        Get-EmulatorSessionCount $emulator | Should -Be $requestsBefore.Sessions
        Get-EmulatorCreditsUsed $emulator | Should -Be $requestsBefore.Credits
        (Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($open.SessionId)" -Method GET).framesReceived | Should -Be $requestsBefore.Frames
    }
}
