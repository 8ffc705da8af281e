BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator -NoAudioPacing -ScriptPath (Join-Path $PSScriptRoot '../../examples/sample-script.json')
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:module = Get-Module Kallglot

    function New-FinishedStream {
        $stream = New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage es | Connect-KallglotStream
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/events" -Json @'
[{"type":"transcript.partial","speaker":"caller","text":"Hel"},
 {"type":"transcript.final","speaker":"caller","text":"Hello, \"friend\"","start_ms":1200,"end_ms":2500,"translation":{"text":"Hola, \"amigo\"","language":"es"}},
 {"type":"transcript.final","speaker":"agent","text":"How can I help?","start_ms":3000,"end_ms":4100,"translation":{"text":"¿Cómo puedo ayudar?","language":"es"}}]
'@ | Out-Null
        Invoke-EmulatorControl -Emulator $emulator -Path "/_emulator/sessions/$($stream.SessionId)/end" | Out-Null
        $stream
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Export-KallglotTranscript' {
    It 'writes SRT cues from the finals in the pipeline, with the call timing' {
        $path = Join-Path $TestDrive 'call.srt'

        New-FinishedStream | Receive-KallglotStream -Wait -TimeoutSec 20 | Export-KallglotTranscript -Path $path

        (Get-Content -Raw $path) -replace "`r" | Should -Be ((@(
                    '1', '00:00:01,200 --> 00:00:02,500', 'caller: Hello, "friend"', 'Hola, "amigo"', ''
                    '2', '00:00:03,000 --> 00:00:04,100', 'agent: How can I help?', '¿Cómo puedo ayudar?', ''
                ) -join "`n") + "`n")
    }

    It 'writes <_> chosen by the extension' -ForEach @('vtt', 'csv', 'jsonl', 'txt') {
        $path = Join-Path $TestDrive "call.$_"

        New-FinishedStream | Receive-KallglotStream -Wait -TimeoutSec 20 | Export-KallglotTranscript -Path $path

        $content = Get-Content -Raw $path
        switch ($_) {
            'vtt' { $content | Should -Match '^WEBVTT'; $content | Should -Match '00:00:01\.200 --> 00:00:02\.500'; $content | Should -Match '<v caller>Hello' }
            'csv' { $rows = Import-Csv $path; $rows.Text | Should -Be @('Hello, "friend"', 'How can I help?'); $rows.Translation[1] | Should -Be '¿Cómo puedo ayudar?' }
            'jsonl' { $rows = Get-Content $path | ConvertFrom-Json; $rows.speaker | Should -Be @('caller', 'agent'); $rows[0].start_ms | Should -Be 1200 }
            'txt' { $content | Should -Match '\[00:00:01\] caller: Hello'; $content | Should -Match '-> Hola' }
        }
    }

    It 'passes events on with -PassThru, writing while they stream' {
        $path = Join-Path $TestDrive 'passthru.jsonl'

        $events = New-FinishedStream | Receive-KallglotStream -Wait -TimeoutSec 20 | Export-KallglotTranscript -Path $path -PassThru

        $events.Type | Should -Contain 'session.ended'
        @(Get-Content $path) | Should -HaveCount 2
    }

    It 'refuses a file name that does not say the format' {
        { @() | Export-KallglotTranscript -Path (Join-Path $TestDrive 'call.doc') } |
            Should -Throw -ErrorId 'transcript_format_unknown,Kallglot.PowerShell.Commands.ExportKallglotTranscriptCommand'
    }
}

Describe 'Test-KallglotConnection and the operational check' {
    It 'returns the figures of an end-to-end check' {
        $check = Test-KallglotConnection -PhoneNumber '+14155550100' -Confirm:$false

        $check.Passed | Should -BeTrue -Because $check.Failure
        $check.SessionId | Should -Match '^sess_'
        $check.StreamReady.TotalMilliseconds | Should -BeGreaterThan 0
        $check.Transcript | Should -Be 'Hello, thank you for calling. I would like to check the status of my order.'
        $check.Translation | Should -Match '^Hola'
        $check.CreditsRemaining | Should -BeGreaterThan 0
    }

    It 'passes over a final without a translation and reports the first translated one' {
        # The notes make a final's translation optional: the sample's first utterance comes back untranslated, its second translated.
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ untranslatedFinals = 1 } | Out-Null
        try {
            $check = Test-KallglotConnection -PhoneNumber '+14155550100' -Confirm:$false
        }
        finally {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ untranslatedFinals = 0 } | Out-Null
        }

        $check.Passed | Should -BeTrue -Because $check.Failure
        $check.Transcript | Should -Be 'It was shipped on Monday, and it should arrive tomorrow morning.'
        $check.Translation | Should -Not -BeNullOrEmpty
    }

    It 'fails with translation_missing when no final comes translated within the check''s time' {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ untranslatedFinals = 100 } | Out-Null
        try {
            $check = Test-KallglotConnection -PhoneNumber '+14155550100' -CheckTimeoutSec 14 -Confirm:$false
        }
        finally {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ untranslatedFinals = 0 } | Out-Null
        }

        $check.Passed | Should -BeFalse
        $check.FailureId | Should -Be 'translation_missing'
        $check.Transcript | Should -Not -BeNullOrEmpty
        $check.Translation | Should -BeNullOrEmpty
    }

    It 'passes against a server that sends session.ready only once audio comes, and warns of it' {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ readyAfterFirstAudio = $true } | Out-Null
        try {
            $check = Test-KallglotConnection -PhoneNumber '+14155550100' -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        }
        finally {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ readyAfterFirstAudio = $false } | Out-Null
        }

        $check.Passed | Should -BeTrue -Because $check.Failure
        $check.Translation | Should -Not -BeNullOrEmpty
        $check.StreamReady | Should -Not -BeNullOrEmpty
        $warned.Message | Should -Match 'sent session.ready .* after the check had stopped waiting for it and started its audio'
    }

    It 'names the error events the server sent when the check fails' {
        Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ rejectAudio = 'unsupported_audio' } | Out-Null
        try {
            $check = Test-KallglotConnection -PhoneNumber '+14155550100' -CheckTimeoutSec 5 -Confirm:$false
        }
        finally {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/config' -Body @{ rejectAudio = $null } | Out-Null
        }

        $check.Passed | Should -BeFalse
        $check.FailureId | Should -Be 'check_timeout'
        $check.Failure | Should -Match 'error \[unsupported_audio\]: The audio was refused'
        $check.StreamErrors[0] | Should -Be 'error [unsupported_audio]: The audio was refused.'
    }

    It 'runs examples/Kallglot.Operational.Tests.ps1 unchanged against the emulator, all checks passing' {
        $example = Join-Path $PSScriptRoot '../../examples/Kallglot.Operational.Tests.ps1'
        $script = {
            param($Pester, $Example, $Module, $BaseUri, $Key)
            Import-Module $Pester
            $data = @{ BaseUri = [Uri]$BaseUri; ApiKey = (ConvertTo-SecureString $Key -AsPlainText -Force); ModulePath = $Module; PhoneNumber = '+14155550100'; MinimumCredits = 5 }
            $result = Invoke-Pester -Container (New-PesterContainer -Path $Example -Data $data) -PassThru -Output None
            "passed=$($result.PassedCount) failed=$($result.FailedCount)"
        }
        $command = "& { $script } '$env:KALLGLOT_TEST_PESTER' '$example' '$(Join-Path $module.ModuleBase 'Kallglot.psd1')' '$($emulator.BaseUri)' '$(ConvertTo-PlainText $emulator.ApiKey)'"

        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $command

        $output | Should -Contain 'passed=4 failed=0'
    }

    It 'runs the example unchanged when the module was imported by path, as a user does after building' {
        $example = Join-Path $PSScriptRoot '../../examples/Kallglot.Operational.Tests.ps1'
        $script = {
            param($Pester, $Example, $Module, $BaseUri, $Key)
            Import-Module $Pester
            Import-Module $Module
            $env:KALLGLOT_CHECK_PHONE_NUMBER = '+14155550100'
            $data = @{ BaseUri = [Uri]$BaseUri; ApiKey = (ConvertTo-SecureString $Key -AsPlainText -Force); MinimumCredits = 5 }
            $result = Invoke-Pester -Container (New-PesterContainer -Path $Example -Data $data) -PassThru -Output None
            "passed=$($result.PassedCount) failed=$($result.FailedCount)"
        }
        $command = "& { $script } '$env:KALLGLOT_TEST_PESTER' '$example' '$(Join-Path $module.ModuleBase 'Kallglot.psd1')' '$($emulator.BaseUri)' '$(ConvertTo-PlainText $emulator.ApiKey)'"

        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $command

        $output | Should -Contain 'passed=4 failed=0'
    }

    It 'routes the check session as New-KallglotSession does: <Routing.Keys>' -ForEach @(
        @{ Routing = @{ ConnectionId = 'conn_check' }; Field = 'connection_id'; Value = 'conn_check' }
        @{ Routing = @{ Sip = @{ sip_uri = 'sip:check@example.com' } }; Field = 'sip_uri'; Value = 'sip:check@example.com' }
    ) {
        $check = Test-KallglotConnection @Routing -Confirm:$false

        $check.Passed | Should -BeTrue -Because $check.Failure
        (Invoke-RestMethod -Uri ([Uri]::new($emulator.BaseUri, "/_emulator/sessions/$($check.SessionId)"))).routing.$Field | Should -Be $Value
    }
}

Describe 'Module surface' {
    It 'passes Test-ModuleManifest with explicit exports, Core edition and PowerShell 7.4' {
        $manifest = Test-ModuleManifest (Join-Path $module.ModuleBase 'Kallglot.psd1')

        $manifest.CompatiblePSEditions | Should -Be 'Core'
        $manifest.PowerShellVersion | Should -Be ([version]'7.4')
        $manifest.ExportedCmdlets.Keys | Where-Object { $_ -match '[*?]' } | Should -BeNullOrEmpty
        $manifest.Tags | Should -Contain 'Kallglot'
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        ($manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be (Get-Command -Module Kallglot | Sort-Object Name).Name
    }

    It 'uses approved verbs for every exported cmdlet' {
        $commands = Get-Command -Module Kallglot

        $commands.Count | Should -Be 15
        $commands | Where-Object Verb -NotIn (Get-Verb).Verb | ForEach-Object Name | Should -BeNullOrEmpty
    }

    It '<_> supports -WhatIf because it changes state' -ForEach @('Connect-Kallglot', 'Disconnect-Kallglot', 'New-KallglotSession', 'Connect-KallglotStream', 'Send-KallglotAudio', 'Disconnect-KallglotStream', 'Export-KallglotTranscript', 'Invoke-KallglotRequest', 'Start-KallglotEmulator', 'Stop-KallglotEmulator', 'Test-KallglotConnection') {
        (Get-Command $_).Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'shows a final transcript as Time, Speaker, Text, Translation, and a session without its token' {
        $final = New-FinishedStream | Receive-KallglotStream -Wait -TimeoutSec 20 | Where-Object Type -eq 'transcript.final' | Select-Object -First 1
        $session = New-KallglotSession -PhoneNumber '+14155550100'

        $table = $final | Format-Table | Out-String
        $table | Should -Match 'Time\s+Speaker\s+Text\s+Translation'
        $table | Should -Match 'Hola'
        ($session | Format-Table | Out-String) | Should -Not -Match ([regex]::Escape((Get-StreamTokenForTest $session)))
        ($session | Format-List | Out-String) | Should -Not -Match ([regex]::Escape((Get-StreamTokenForTest $session)))
    }
}

Describe 'Tab completion' {
    It 'completes languages with their names' {
        $input = 'New-KallglotSession -PhoneNumber +14155550100 -TargetLanguage pt'
        $completion = TabExpansion2 -inputScript $input -cursorColumn $input.Length

        $completion.CompletionMatches.CompletionText | Should -Contain 'pt-BR'
        ($completion.CompletionMatches | Where-Object CompletionText -eq 'pt-BR').ListItemText | Should -Match 'Portuguese \(Brazil\)'
    }

    It 'completes speakers seen on streams' {
        $null = New-FinishedStream | Receive-KallglotStream -Wait -TimeoutSec 20
        $input = 'Send-KallglotAudio -Path x.wav -Speaker ag'

        (TabExpansion2 -inputScript $input -cursorColumn $input.Length).CompletionMatches.CompletionText | Should -Contain 'agent'
    }

    It 'completes the sessions created in this session as API paths' {
        $session = New-KallglotSession -PhoneNumber '+14155550100'
        $input = 'Invoke-KallglotRequest -Path /v1/sessions/'

        (TabExpansion2 -inputScript $input -cursorColumn $input.Length).CompletionMatches.CompletionText | Should -Contain "/v1/sessions/$($session.Id)"
    }
}

Describe 'Start-KallglotEmulator without the ASP.NET Core runtime' {
    It 'says the runtime is missing and how to get it (skipped on Windows: the stand-in dotnet is a shell script)' -Skip:($IsWindows) {
        $fakeHost = Join-Path $TestDrive 'dotnet'
        Set-Content $fakeHost "#!/bin/sh`necho `"You must install or update .NET to run this application. Framework: 'Microsoft.AspNetCore.App', version '10.0.0' (x64)`" >&2`nexit 150"
        chmod +x $fakeHost
        $env:KALLGLOT_DOTNET_HOST = $fakeHost
        try {
            $thrown = { Start-KallglotEmulator } | Should -Throw -ErrorId 'emulator_runtime_missing,Kallglot.PowerShell.Commands.StartKallglotEmulatorCommand' -PassThru
            $thrown.Exception.Message | Should -Match 'ASP.NET Core'
        }
        finally { Remove-Item Env:KALLGLOT_DOTNET_HOST }
    }
}
