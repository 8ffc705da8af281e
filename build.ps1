<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the Kallglot PowerShell module.
.DESCRIPTION
    Run it with the pinned PowerShell from the repository's dotnet tool manifest:
        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Test
    Tasks:
        Build    compiles everything and assembles the module in out/Kallglot (the emulator in out/Kallglot/emulator)
        Test     Build, then the xunit suite and the Pester suite against the built module; ends with 'Tests: N passed, N failed'
        Demo     Build, then plays examples/ through the emulator and prints the session and its live events
        Bench    Release build, then the benchmark harness (tests/Benchmarks); writes out/bench.md
        Package  Build, then a .nupkg of the module in out/package, installable with Install-PSResource from a local repository
        Clean    removes out/ and every bin/ and obj/
.PARAMETER Tag
    Test: run only the Pester tests with these tags.
.PARAMETER ExcludeTag
    Test: skip the Pester tests with these tags.
.PARAMETER Soak
    Test: run the soak test (50 paced streams) for two minutes instead of 20 seconds.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string[]] $Tag,

    [string[]] $ExcludeTag,

    # Test: the soak test runs its full two minutes instead of CI's 20 seconds.
    [switch] $Soak
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Kallglot'
$ResultsDir = Join-Path $Out 'test-results'
$PesterVersion = '5.7.1'

# The dlls the module ships, by name: a missing one fails the build instead of failing an import.
# Only the cmdlet assembly sits in the module folder; the engine and its dependencies go to
# dependencies/, where only the module's own load context looks (src/Kallglot.PowerShell/Isolation).
$ModuleAssemblies = @('Kallglot.PowerShell.dll', 'Kallglot.PowerShell.Loader.dll')
$EngineAssemblies = @(
    'Kallglot.dll'
    'Websocket.Client.dll'
    'System.Reactive.dll'
    'Microsoft.Extensions.Logging.Abstractions.dll'
    'Microsoft.Extensions.DependencyInjection.Abstractions.dll'
    'Microsoft.IO.RecyclableMemoryStream.dll'
    'NAudio.Core.dll'
)

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) {
        throw "$What failed (exit code $LASTEXITCODE)."
    }
}

function Remove-BuildOutput {
    param([string] $Path)
    if (-not (Test-Path $Path)) { return }
    try {
        Remove-Item -Recurse -Force $Path -ErrorAction Stop
    }
    catch {
        # Windows keeps a loaded assembly's file locked: a pwsh that imported the module, or an emulator started from it.
        $advice = if ($IsWindows) { ' Close the PowerShell sessions that imported the module from there and stop the emulators started from it (Stop-KallglotEmulator), then build again.' } else { '' }
        throw "Cannot replace '$Path': $($_.Exception.Message)$advice"
    }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.KallglotVersion | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'KallglotVersion is missing from Directory.Build.props.' }
    return $version
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = dotnet nuget locals global-packages --list | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Write-Host "Building ($Configuration)..." -ForegroundColor Cyan
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $Root 'Kallglot.sln') -c $Configuration --nologo -v:quiet -clp:ErrorsOnly }

    $publish = Join-Path $Out "publish/$Configuration"
    Invoke-Native 'dotnet publish (module)' {
        dotnet publish (Join-Path $Root 'src/Kallglot.PowerShell') -c $Configuration --no-build --nologo -v:quiet -o (Join-Path $publish 'module')
    }
    Invoke-Native 'dotnet publish (loader)' {
        dotnet publish (Join-Path $Root 'src/Kallglot.PowerShell.Loader') -c $Configuration --no-build --nologo -v:quiet -o (Join-Path $publish 'module')
    }
    Remove-BuildOutput $ModuleOut
    $null = New-Item -ItemType Directory -Force $ModuleOut
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'dependencies')
    foreach ($set in @(@{ Names = $ModuleAssemblies; To = $ModuleOut }, @{ Names = $EngineAssemblies; To = $dependencies.FullName })) {
        foreach ($name in $set.Names) {
            $source = Join-Path $publish "module/$name"
            if (-not (Test-Path $source)) { throw "The module needs $name, but the publish output has no such file." }
            Copy-Item $source $set.To
        }
    }
    Copy-Item (Join-Path $Root 'src/Kallglot.PowerShell/Kallglot.format.ps1xml') $ModuleOut
    # Test-KallglotConnection plays this by default: a few seconds of real speech.
    $samples = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'samples')
    Copy-Item (Join-Path $Root 'examples/sample-call.wav') $samples

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $Root 'Kallglot.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'Kallglot.psd1') -Value $manifest -Encoding utf8NoBOM

    # Help: markdown under docs/help plus the parameters' XML doc comments, made into MAML.
    Invoke-Native 'building help' {
        dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-HelpMaml.ps1') -ModuleManifest (Join-Path $ModuleOut 'Kallglot.psd1') `
            -XmlDocs (Join-Path $publish 'module/Kallglot.PowerShell.xml') -HelpSource (Join-Path $Root 'docs/help') -OutputDirectory (Join-Path $ModuleOut 'en-US')
    }

    Invoke-Native 'dotnet publish (emulator)' {
        dotnet publish (Join-Path $Root 'src/Kallglot.Emulator') -c $Configuration --no-build --nologo -v:quiet -o (Join-Path $ModuleOut 'emulator')
    }
    Write-Host "Module $version assembled in $ModuleOut" -ForegroundColor Green
}

function Read-TrxCounts([string] $Path) {
    if (-not (Test-Path $Path)) { return $null }
    $trx = [xml](Get-Content -Raw $Path)
    $counters = $trx.TestRun.ResultSummary.Counters
    $failedNames = @($trx.TestRun.Results.UnitTestResult | Where-Object outcome -NE 'Passed' | ForEach-Object {
            $message = "$($_.Output.ErrorInfo.Message)" -replace '\s+', ' '
            "$($_.testName): $($message.Substring(0, [Math]::Min(300, $message.Length)))"
        })
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted; FailedNames = $failedNames }
}

function Invoke-Test {
    Invoke-Build
    # The Pester suite installs the module from its package, as a user would.
    $env:KALLGLOT_TEST_PACKAGE = (New-ModulePackage).FullName
    if (Test-Path $ResultsDir) { Remove-Item -Recurse -Force $ResultsDir }
    $null = New-Item -ItemType Directory -Force $ResultsDir
    $passed = 0
    $failed = 0
    $failedNames = [System.Collections.Generic.List[string]]::new()

    # Every emulator the tests start accepts this key and prefixes its tokens with this: after the
    # run, no byte of test output may hold either (the leak check below).
    $canaryKey = 'kg_test_leakcanary_' + [guid]::NewGuid().ToString('N')
    $canaryTokenPrefix = 'tok_leakcanary_' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '_'
    $env:KALLGLOT_EMULATOR_API_KEY = $canaryKey
    $env:KALLGLOT_EMULATOR_TOKEN_PREFIX = $canaryTokenPrefix
    # Sessions the tests create go to a ledger of the run's own, among the files the leak check reads.
    $env:KALLGLOT_LEDGER = Join-Path $ResultsDir 'sessions.jsonl'
    if ($Soak) { $env:KALLGLOT_SOAK_SECONDS = '120' }

    Write-Host 'Running xunit (tests/Kallglot.Tests)...' -ForegroundColor Cyan
    dotnet test (Join-Path $Root 'tests/Kallglot.Tests') -c $Configuration --no-build --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $ResultsDir *>&1 |
        Tee-Object -FilePath (Join-Path $ResultsDir 'xunit-console.log')
    $xunitExit = $LASTEXITCODE
    $xunit = Read-TrxCounts (Join-Path $ResultsDir 'xunit.trx')
    if ($null -eq $xunit) {
        Write-Host "xunit produced no results (exit code $xunitExit): counted as one failure." -ForegroundColor Red
        $failed++
    }
    else {
        $passed += $xunit.Passed
        $failed += $xunit.Failed
        $xunit.FailedNames | ForEach-Object { $failedNames.Add("xunit: $_") }
        if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $failed++ }
        Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed"
    }

    Write-Host 'Running Pester (tests/Pester) against out/Kallglot...' -ForegroundColor Cyan
    $packages = Get-NuGetPackagesFolder
    $pesterManifest = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    Invoke-Native 'restoring the test tools from NuGet' { dotnet restore (Join-Path $Root 'tools/Tools.proj') --nologo -v:quiet }
    $env:KALLGLOT_TEST_PACKAGES = $packages
    $summaryPath = Join-Path $ResultsDir 'pester-summary.json'
    $runner = Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1'
    $runnerArgs = @('-NoProfile', '-NonInteractive', '-File', $runner, '-PesterManifest', $pesterManifest, '-ModuleManifest', (Join-Path $ModuleOut 'Kallglot.psd1'),
        '-TestPath', (Join-Path $Root 'tests/Pester'), '-ResultDirectory', $ResultsDir)
    if ($Tag) { $runnerArgs += @('-Tag', ($Tag -join ',')) }
    if ($ExcludeTag) { $runnerArgs += @('-ExcludeTag', ($ExcludeTag -join ',')) }
    Push-Location $Root
    try { dotnet pwsh @runnerArgs *>&1 | Tee-Object -FilePath (Join-Path $ResultsDir 'pester-console.log') } finally { Pop-Location }
    $pesterExit = $LASTEXITCODE
    if (Test-Path $summaryPath) {
        $pester = Get-Content -Raw $summaryPath | ConvertFrom-Json
        $passed += $pester.Passed
        $failed += $pester.Failed
        $pester.FailedNames | ForEach-Object { $failedNames.Add("Pester: $_") }
        if ($pesterExit -ne 0 -and $pester.Failed -eq 0) { $failed++ }
        Write-Host "Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    }
    else {
        Write-Host "Pester produced no results (exit code $pesterExit): counted as one failure." -ForegroundColor Red
        $failed++
    }

    $leaks = Get-ChildItem $ResultsDir -File -Recurse | Select-String -SimpleMatch -Pattern $canaryKey, $canaryTokenPrefix -List
    if ($leaks) {
        Write-Host "Leak check FAILED: the API key or a stream token appears in test output: $(($leaks | ForEach-Object { "$($_.Path):$($_.LineNumber)" }) -join ', ')" -ForegroundColor Red
        $failed++
    }
    else {
        Write-Host "Leak check: no API key or stream token in any of $((Get-ChildItem $ResultsDir -File -Recurse).Count) test output files"
        $passed++
    }
    Remove-Item Env:KALLGLOT_EMULATOR_API_KEY, Env:KALLGLOT_EMULATOR_TOKEN_PREFIX, Env:KALLGLOT_LEDGER

    # Repeated at the end so the last screen of a long log says what failed.
    if ($failedNames.Count -gt 0) {
        Write-Host 'Failed:' -ForegroundColor Red
        $failedNames | ForEach-Object { Write-Host "  $_" -ForegroundColor Red }
    }
    Write-Host "Tests: $passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Push-Location $Root
    try {
        dotnet pwsh -NoProfile -File (Join-Path $Root 'examples/Demo.ps1') -ModulePath (Join-Path $ModuleOut 'Kallglot.psd1')
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    finally { Pop-Location }
}

function New-ModulePackage {
    # A .nupkg that Install-PSResource / Install-Module can install from a local folder repository.
    $packageDir = Join-Path $Out 'package'
    if (Test-Path $packageDir) { Remove-Item -Recurse -Force $packageDir }
    $null = New-Item -ItemType Directory -Force $packageDir
    $repositoryName = "KallglotBuild$PID"
    Register-PSResourceRepository -Name $repositoryName -Uri $packageDir -Trusted
    try {
        Publish-PSResource -Path $ModuleOut -Repository $repositoryName -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }
    $package = Get-ChildItem $packageDir -Filter *.nupkg | Select-Object -First 1
    Write-Host "Package: $($package.FullName)" -ForegroundColor Green
    return $package
}

function Invoke-Package {
    Invoke-Build
    $null = New-ModulePackage
}

function Invoke-Bench {
    $script:Configuration = 'Release'
    Invoke-Build
    $project = Join-Path $Root 'tests/Benchmarks'
    Invoke-Native 'benchmarks' {
        dotnet run --project $project -c Release --no-build -- --module (Join-Path $ModuleOut 'Kallglot.psd1') --pwsh (Join-Path $PSHOME 'pwsh.dll') --out (Join-Path $Out 'bench.md')
    }
}

function Invoke-Clean {
    Remove-BuildOutput $Out
    Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Where-Object { $_.FullName -notmatch '[\\/]\.git[\\/]' } | Remove-Item -Recurse -Force
    Write-Host 'Clean.'
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
    'Clean' { Invoke-Clean }
}
