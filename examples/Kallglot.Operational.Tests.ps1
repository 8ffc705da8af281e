<#
.SYNOPSIS
    An operational check of the Kallglot API, for admins to run unchanged against the emulator or
    the real API: a session can be created, its stream is ready in time, audio round-trips into a
    final transcript with a translation, and credits stay above a threshold.
.EXAMPLE
    # Against the real API (KALLGLOT_API_KEY and, if needed, KALLGLOT_BASE_URL set), with a number
    # your organization routes (or KALLGLOT_CHECK_PHONE_NUMBER set):
    $data = @{ PhoneNumber = '+14155550100' }
    Invoke-Pester -Container (New-PesterContainer -Path ./examples/Kallglot.Operational.Tests.ps1 -Data $data)
.EXAMPLE
    # With thresholds of your own, or against the emulator:
    $emulator = Start-KallglotEmulator -ScriptPath ./examples/sample-script.json
    $data = @{ BaseUri = $emulator.BaseUri; ApiKey = $emulator.ApiKey; PhoneNumber = '+14155550100'; MinimumCredits = 5; ReadyWithinMs = 2000 }
    Invoke-Pester -Container (New-PesterContainer -Path ./examples/Kallglot.Operational.Tests.ps1 -Data $data)
.NOTES
    Each run creates one session, which costs one API credit.
#>
param(
    [Uri] $BaseUri,
    [securestring] $ApiKey,
    [string] $PhoneNumber = $env:KALLGLOT_CHECK_PHONE_NUMBER,
    [int] $MinimumCredits = 10,
    [int] $ReadyWithinMs = 3000,
    [int] $RoundTripWithinMs = 20000,
    [string] $ModulePath = 'Kallglot'
)

BeforeAll {
    # A module already imported (by name or by path) is used as it is.
    if (-not (Get-Module Kallglot)) { Import-Module $ModulePath -ErrorAction Stop }
    if (-not $PhoneNumber) {
        throw 'Give -PhoneNumber in the container data (or set KALLGLOT_CHECK_PHONE_NUMBER): the number the check session routes to.'
    }
    $connection = @{ PhoneNumber = $PhoneNumber }
    if ($BaseUri) { $connection.BaseUri = $BaseUri }
    if ($ApiKey) { $connection.ApiKey = $ApiKey }
    $script:check = Test-KallglotConnection @connection -Confirm:$false
}

Describe 'Kallglot API operational check' {
    It 'creates a session' {
        $check.FailureId | Should -Not -BeIn @('unauthorized', 'insufficient_api_credits', 'organization_inactive', 'connection_failed') -Because $check.Failure
        $check.SessionId | Should -Not -BeNullOrEmpty -Because $check.Failure
    }

    It 'has its stream ready within <ReadyWithinMs> ms' {
        $check.StreamReady | Should -Not -BeNullOrEmpty -Because ($check.Failure ?? 'the server sent no session.ready')
        $check.StreamReady.TotalMilliseconds | Should -BeLessThan $ReadyWithinMs
    }

    It 'turns audio into a final transcript with a translation within <RoundTripWithinMs> ms' {
        $check.Transcript | Should -Not -BeNullOrEmpty -Because $check.Failure
        $check.Translation | Should -Not -BeNullOrEmpty
        $check.RoundTrip.TotalMilliseconds | Should -BeLessThan $RoundTripWithinMs
    }

    It 'has more than <MinimumCredits> API credits left' {
        $check.CreditsRemaining | Should -BeGreaterThan $MinimumCredits
    }
}
