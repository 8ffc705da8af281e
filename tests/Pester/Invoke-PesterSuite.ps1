<#
.SYNOPSIS
    Runs the Pester suite in a clean process against the built module; build.ps1 -Task Test calls it.
    Writes pester-summary.json (passed/failed counts, the failed tests' names and first errors) and an NUnit XML report to -ResultDirectory.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultDirectory,
    [string] $Tag,
    [string] $ExcludeTag
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest -Force

# The test files import the module from here, never from the source tree.
$env:KALLGLOT_TEST_MODULE = $ModuleManifest
$env:KALLGLOT_TEST_PESTER = $PesterManifest

$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
if ($Tag) { $configuration.Filter.Tag = $Tag -split ',' }
if ($ExcludeTag) { $configuration.Filter.ExcludeTag = $ExcludeTag -split ',' }

$result = Invoke-Pester -Configuration $configuration
$summary = [ordered]@{
    Passed = $result.PassedCount
    Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    NotRun = $result.NotRunCount
    # Named here so the run's last lines say what failed, however long the log above them.
    FailedNames = @(@($result.Failed | ForEach-Object { "$($_.ExpandedPath): $(($_.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) -replace '\s+', ' ')" }) +
        @($result.FailedBlocks + $result.FailedContainers | ForEach-Object { "$($_.Name): $(($_.ErrorRecord | Select-Object -First 1 | ForEach-Object { "$_" }) -replace '\s+', ' ')" }))
}
$summary | ConvertTo-Json | Set-Content -Path (Join-Path $ResultDirectory 'pester-summary.json') -Encoding utf8NoBOM
if ($summary.Failed -gt 0) { exit 1 }
exit 0
