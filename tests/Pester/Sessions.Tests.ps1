BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:emulator = Start-KallglotEmulator
    Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
    $script:key = ConvertTo-PlainText $emulator.ApiKey
    $script:cmdlet = 'Kallglot.PowerShell.Commands.NewKallglotSessionCommand'
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'New-KallglotSession' {
    Context 'routing kinds' {
        It 'creates a session by phone number with its languages, provider and credits' {
            $session = New-KallglotSession -PhoneNumber '+14155550100' -SourceLanguage en -TargetLanguage es

            $session | Should -BeOfType ([Kallglot.Sessions.KallglotSession])
            $session.Id | Should -Match '^sess_'
            $session.Provider | Should -Be 'twilio'
            $session.SourceLanguage | Should -Be 'en'
            $session.TargetLanguage | Should -Be 'es'
            $session.Routing['phone_number'] | Should -Be '+14155550100'
            $session.CreditsRemaining | Should -BeGreaterThan 0
            $session.TokenExpiresAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(4))
        }

        It 'creates a session by connection id' {
            $session = New-KallglotSession -ConnectionId 'conn_123'

            $session.Routing['connection_id'] | Should -Be 'conn_123'
            $session.SourceLanguage | Should -BeNullOrEmpty
        }

        It 'creates a session by SIP fields copied under routing' {
            $session = New-KallglotSession -Sip @{ sip_uri = 'sip:agent@example.com'; sip_username = 'agent' }

            $session.Routing['sip_uri'] | Should -Be 'sip:agent@example.com'
            $session.Routing['sip_username'] | Should -Be 'agent'
        }

        It 'passes -Property fields to the API and keeps unknown answer fields in Raw' {
            $session = New-KallglotSession -PhoneNumber '+14155550100' -Property @{ ticket = 'T-1' }

            # The emulator echoes the fields it does not know under metadata, which is no typed property: Raw keeps it.
            $session.Raw['metadata']['ticket'] | Should -Be 'T-1'
        }
    }

    It 'creates one session per CSV row, binding columns by property name' {
        $csv = Join-Path $TestDrive 'lines.csv'
        @(
            [pscustomobject]@{ PhoneNumber = '+14155550101'; TargetLanguage = 'es' }
            [pscustomobject]@{ PhoneNumber = '+14155550102'; TargetLanguage = 'fr' }
            [pscustomobject]@{ PhoneNumber = '+14155550103'; TargetLanguage = 'de' }
        ) | Export-Csv -Path $csv -NoTypeInformation

        $sessions = Import-Csv $csv | New-KallglotSession

        $sessions | Should -HaveCount 3
        $sessions.TargetLanguage | Should -Be @('es', 'fr', 'de')
        ($sessions.Id | Sort-Object -Unique) | Should -HaveCount 3
    }

    It 'sends nothing with -WhatIf, so no credit is spent' {
        $sessionsBefore = Get-EmulatorSessionCount $emulator
        $creditsBefore = Get-EmulatorCreditsUsed $emulator
        $sessionsBefore | Should -BeGreaterThan 1

        $result = New-KallglotSession -PhoneNumber '+14155550100' -WhatIf

        $result | Should -BeNullOrEmpty
        Get-EmulatorSessionCount $emulator | Should -Be $sessionsBefore
        Get-EmulatorCreditsUsed $emulator | Should -Be $creditsBefore
    }

    Context 'refused before any request' {
        BeforeAll { $script:before = Get-EmulatorSessionCount $emulator }
        AfterAll { Get-EmulatorSessionCount $emulator | Should -Be $before }

        It 'refuses a number not in E.164 form with <_>' -ForEach @('4155550100', '+1 415 555 0100', '+0123') {
            { New-KallglotSession -PhoneNumber $_ -ErrorAction Stop } | Should -Throw -ErrorId "invalid_phone_number,$cmdlet"
        }

        It 'refuses provider in -Property and says to use routing' {
            $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -Property @{ provider = @{ type = 'twilio' } } -ErrorAction Stop } |
                Should -Throw -ErrorId "provider_not_supported,$cmdlet" -PassThru
            $thrown.Exception.Message | Should -Match 'routing'
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'refuses two routing kinds given as parameters' {
            { New-KallglotSession -PhoneNumber '+14155550100' -ConnectionId 'conn_1' -ErrorAction Stop } |
                Should -Throw -ErrorId "AmbiguousParameterSet,$cmdlet"
        }

        It 'refuses a SIP hashtable that also holds a phone number' {
            { New-KallglotSession -Sip @{ sip_uri = 'sip:a@example.com'; phone_number = '+14155550100' } -ErrorAction Stop } |
                Should -Throw -ErrorId "invalid_routing,$cmdlet"
        }

        It 'refuses a malformed language tag' {
            { New-KallglotSession -PhoneNumber '+14155550100' -TargetLanguage 'spanish!' -ErrorAction Stop } |
                Should -Throw -ErrorId "invalid_language,$cmdlet"
        }

        It 'reports a bad CSV row and still creates the good ones' {
            $rows = @(
                [pscustomobject]@{ PhoneNumber = '+14155550104' }
                [pscustomobject]@{ PhoneNumber = 'not-a-number' }
                [pscustomobject]@{ PhoneNumber = '+14155550105' }
            )

            $sessions = $rows | New-KallglotSession -ErrorVariable rowErrors -ErrorAction SilentlyContinue

            $sessions | Should -HaveCount 2
            $rowErrors | Should -HaveCount 1
            $rowErrors[0].FullyQualifiedErrorId | Should -Be "invalid_phone_number,$cmdlet"
            $script:before += 2
        }
    }

    Context 'API refusals' {
        It 'gives insufficient_api_credits with QuotaExceeded when credits run out' {
            $poor = Start-KallglotEmulator -Credits 0
            try {
                $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $poor.BaseUri -ApiKey $poor.ApiKey } |
                    Should -Throw -ErrorId "insufficient_api_credits,$cmdlet" -PassThru
                $thrown.CategoryInfo.Category | Should -Be 'QuotaExceeded'
                $thrown.Exception.Message | Should -Match 'credits'
                $thrown.Exception.Credits.Remaining | Should -Be 0
            }
            finally { $poor | Stop-KallglotEmulator }
        }

        It 'gives organization_inactive with PermissionDenied when the subscription is inactive' {
            Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/organization' -Body @{ active = $false } | Out-Null
            try {
                $thrown = { New-KallglotSession -PhoneNumber '+14155550100' } | Should -Throw -ErrorId "organization_inactive,$cmdlet" -PassThru
                $thrown.CategoryInfo.Category | Should -Be 'PermissionDenied'
                $thrown.ErrorDetails.RecommendedAction | Should -Match 'reactivate'
            }
            finally { Invoke-EmulatorControl -Emulator $emulator -Path '/_emulator/organization' -Body @{ active = $true } | Out-Null }
        }

        It 'gives unauthorized for a wrong key, without the key anywhere in the error record' {
            $wrong = 'kg_wrong_' + [guid]::NewGuid().ToString('N')
            $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -ApiKey (ConvertTo-SecureString $wrong -AsPlainText -Force) } |
                Should -Throw -ErrorId "unauthorized,$cmdlet" -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
            ($thrown | Format-List * -Force | Out-String) | Should -Not -Match $wrong
            ($thrown.Exception | Format-List * -Force | Out-String) | Should -Not -Match $wrong
        }
    }

    It 'shows method, path, status, duration and credits in -Verbose, never the key or the token' {
        $output = New-KallglotSession -PhoneNumber '+14155550100' -Verbose 4>&1
        $verbose = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"
        $session = $output | Where-Object { $_ -is [Kallglot.Sessions.KallglotSession] }

        $verbose | Should -Match 'POST /v1/sessions -> 201 .* in \d+ ms'
        $verbose | Should -Match 'credits remaining \d+'
        $verbose | Should -Not -Match ([regex]::Escape($key))
        $token = Get-StreamTokenForTest $session
        $token | Should -Not -BeNullOrEmpty
        $shown = ($session | Format-List * -Force | Out-String) + ($session | Format-Table | Out-String) + ($session | ConvertTo-Json -Depth 5) + "$session" + $verbose
        $shown | Should -Not -Match ([regex]::Escape($token))
        $shown | Should -Not -Match ([regex]::Escape($key))
        $session.StreamUrl | Should -Match 'token=\*\*\*'
    }

    It 'retries nothing and still fails clearly when the endpoint is unreachable' {
        # Bound and never listening for the test's length: refused, and no other server can take the port meanwhile.
        $reserved = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
        try {
            $reserved.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
            $port = $reserved.LocalEndPoint.Port

            { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri "http://127.0.0.1:$port" -MaxRetry 0 } |
                Should -Throw -ErrorId "connection_failed,$cmdlet"
        }
        finally { $reserved.Dispose() }
    }

    It 'refuses plain http to a remote host unless -AllowInsecureConnection' {
        { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri 'http://api.example.test' } |
            Should -Throw -ErrorId "insecure_connection_refused,$cmdlet"
    }
}

Describe 'Leak check wiring' {
    It 'test emulators use the leak-check canary key (skipped when not run by build.ps1, which sets it)' -Skip:(-not $env:KALLGLOT_EMULATOR_API_KEY) {
        $key | Should -Be $env:KALLGLOT_EMULATOR_API_KEY
        $session = New-KallglotSession -PhoneNumber '+14155550100'
        Get-StreamTokenForTest $session | Should -BeLike "$($env:KALLGLOT_EMULATOR_TOKEN_PREFIX)*"
    }
}

Describe 'Connect-Kallglot and Get-KallglotContext' {
    It 'shows where the endpoint and key come from, with the key masked' {
        $context = Get-KallglotContext

        $context.BaseUri | Should -Be $emulator.BaseUri
        $context.ApiKeySource | Should -Be 'Connect-Kallglot'
        $context.ApiKey.ToString() | Should -Be '***'
        ($context | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($key))
    }

    It 'falls back to KALLGLOT_API_KEY and KALLGLOT_BASE_URL after Disconnect-Kallglot' {
        $env:KALLGLOT_API_KEY = $key
        $env:KALLGLOT_BASE_URL = $emulator.BaseUri.ToString()
        try {
            Disconnect-Kallglot
            $context = Get-KallglotContext
            $context.ApiKeySource | Should -BeLike 'Environment*'
            $context.BaseUriSource | Should -BeLike 'Environment*'
            (New-KallglotSession -PhoneNumber '+14155550100').Id | Should -Match '^sess_'
        }
        finally {
            Remove-Item Env:KALLGLOT_API_KEY, Env:KALLGLOT_BASE_URL
            Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey
        }
    }

    It 'says what to do when no key is set anywhere' {
        Disconnect-Kallglot
        try {
            $thrown = { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $emulator.BaseUri } |
                Should -Throw -ErrorId 'api_key_missing,Kallglot.PowerShell.Commands.NewKallglotSessionCommand' -PassThru
            $thrown.Exception.Message | Should -Match 'KALLGLOT_API_KEY'
        }
        finally { Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey }
    }

    It 'refuses a call with nothing to set' {
        { Connect-Kallglot } | Should -Throw -ErrorId 'connect_nothing_given,Kallglot.PowerShell.Commands.ConnectKallglotCommand'
    }
}

Describe 'Invoke-KallglotRequest' {
    It 'reads an endpoint the module does not wrap, as objects' {
        $session = New-KallglotSession -PhoneNumber '+14155550100'

        $read = Invoke-KallglotRequest -Path "/v1/sessions/$($session.Id)"

        $read.id | Should -Be $session.Id
    }

    It 'never writes a session''s stream token, as objects or with -Raw, in the <Shape> shape of answer' -ForEach @(
        @{ Shape = 'Canonical'; Field = 'stream_token' }
        @{ Shape = 'Flat'; Field = 'token' }
        @{ Shape = 'Nested'; Field = 'stream.token' }
        @{ Shape = 'UrlOnly'; Field = 'ws_url' }
    ) {
        $shaped = Start-KallglotEmulator -ResponseShape $Shape
        try {
            $create = @{ Method = 'POST'; Path = '/v1/sessions'; Body = @{ routing = @{ phone_number = '+14155550100' } }; BaseUri = $shaped.BaseUri; ApiKey = $shaped.ApiKey; Confirm = $false }
            $asObjects = Invoke-KallglotRequest @create
            $asText = (Invoke-KallglotRequest @create -Raw).Body | ConvertFrom-Json

            foreach ($answer in $asObjects, $asText) {
                $value = $answer
                foreach ($name in $Field.Split('.')) { $value = $value.$name }
                # The token itself, or the stream URL's token query value.
                $value | Should -Match '(^|\?token=)\*\*\*$' -Because "its $Field in $($answer | ConvertTo-Json -Compress -Depth 5)"
            }
        }
        finally { $shaped | Stop-KallglotEmulator }
    }

    It 'turns an API error into an error record with the API code' {
        { Invoke-KallglotRequest -Path '/v1/sessions/sess_does_not_exist' } |
            Should -Throw -ErrorId 'session_not_found,Kallglot.PowerShell.Commands.InvokeKallglotRequestCommand'
    }
}

Describe 'Tolerant reading through the cmdlets' {
    BeforeAll {
        # Every request answered in a shape picked at random: the module must not depend on one.
        $script:varying = Start-KallglotEmulator -ResponseShape Varying -ErrorShape Varying
    }
    AfterAll { $varying | Stop-KallglotEmulator }

    It 'creates and connects sessions whatever shape each answer takes' {
        $streams = 1..8 | ForEach-Object {
            New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $varying.BaseUri -ApiKey $varying.ApiKey | Connect-KallglotStream
        }

        $streams | ForEach-Object { (Receive-KallglotStream $_ -Wait -TimeoutSec 10 | Select-Object -First 1).Type } | Should -Be (@('session.ready') * 8)
        $streams | Disconnect-KallglotStream
    }

    It 'reads the <_> error shape into the same error id' -ForEach @('Nested', 'Flat', 'Empty') {
        $poor = Start-KallglotEmulator -Credits 0 -ErrorShape $_
        try {
            { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $poor.BaseUri -ApiKey $poor.ApiKey } |
                Should -Throw -ErrorId "insufficient_api_credits,$cmdlet"
        }
        finally { $poor | Stop-KallglotEmulator }
    }
}
