<#
.SYNOPSIS
    Builds the module's MAML help (en-US/Kallglot.PowerShell.dll-Help.xml), since platyPS is not
    reachable here. Synopsis, description and examples come from docs/help/<Cmdlet>.md; parameter
    descriptions from the XML doc comments on the cmdlet properties; syntax from the cmdlets
    themselves. Run in its own pwsh by build.ps1, after the module is assembled.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $XmlDocs,
    [Parameter(Mandatory)] [string] $HelpSource,
    [Parameter(Mandatory)] [string] $OutputDirectory
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$docs = [xml](Get-Content -Raw $XmlDocs)
$summaries = @{}
foreach ($member in $docs.SelectNodes('/doc/members/member[starts-with(@name, "P:")]')) {
    $summary = $member.SelectSingleNode('summary')
    if ($summary) { $summaries[$member.GetAttribute('name').Substring(2)] = ($summary.InnerText -replace '\s+', ' ').Trim() }
}
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function ConvertTo-Paragraphs([string] $Text) {
    ($Text.Trim() -split "(\r?\n){2,}" | Where-Object { $_.Trim() } | ForEach-Object {
        '<maml:para>' + [Security.SecurityElement]::Escape(($_ -replace '\s*\r?\n\s*', ' ').Trim()) + '</maml:para>'
    }) -join ''
}

function Read-HelpMarkdown([string] $Path) {
    $text = Get-Content -Raw $Path
    $sections = @{}
    foreach ($match in [regex]::Matches($text, '(?ms)^## (?<name>[A-Z]+)\s*$(?<body>.*?)(?=^## |\z)')) { $sections[$match.Groups['name'].Value] = $match.Groups['body'].Value.Trim() }
    $examples = foreach ($match in [regex]::Matches($sections['EXAMPLES'], '(?ms)^### (?<title>.+?)\s*$\s*```powershell\s*(?<code>.*?)```(?<remarks>.*?)(?=^### |\z)')) {
        [pscustomobject]@{ Title = $match.Groups['title'].Value.Trim(); Code = $match.Groups['code'].Value.TrimEnd(); Remarks = $match.Groups['remarks'].Value.Trim() }
    }
    [pscustomobject]@{ Synopsis = $sections['SYNOPSIS']; Description = $sections['DESCRIPTION']; Examples = @($examples) }
}

$builder = [Text.StringBuilder]::new()
$null = $builder.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
$null = $builder.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
foreach ($command in Get-Command -Module Kallglot -CommandType Cmdlet | Sort-Object Name) {
    $source = Join-Path $HelpSource "$($command.Name).md"
    if (-not (Test-Path $source)) { throw "No help source for $($command.Name): write $source." }
    $help = Read-HelpMarkdown $source
    $type = $command.ImplementingType.FullName
    $null = $builder.Append('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    $null = $builder.Append("<command:details><command:name>$($command.Name)</command:name><maml:description>$(ConvertTo-Paragraphs $help.Synopsis)</maml:description><command:verb>$($command.Verb)</command:verb><command:noun>$($command.Noun)</command:noun></command:details>")
    $null = $builder.Append("<maml:description>$(ConvertTo-Paragraphs $help.Description)</maml:description>")

    $null = $builder.Append('<command:syntax>')
    foreach ($set in $command.ParameterSets) {
        $null = $builder.Append("<command:syntaxItem><maml:name>$($command.Name)</maml:name>")
        foreach ($parameter in $set.Parameters | Where-Object Name -NotIn $common) {
            $position = if ($parameter.Position -ge 0) { $parameter.Position } else { 'named' }
            $null = $builder.Append("<command:parameter required=`"$($parameter.IsMandatory.ToString().ToLower())`" position=`"$position`"><maml:name>$($parameter.Name)</maml:name>")
            if ($parameter.ParameterType -ne [switch]) { $null = $builder.Append("<command:parameterValue required=`"true`">$($parameter.ParameterType.Name)</command:parameterValue>") }
            $null = $builder.Append('</command:parameter>')
        }
        $null = $builder.Append('</command:syntaxItem>')
    }
    $null = $builder.Append('</command:syntax><command:parameters>')
    foreach ($parameter in $command.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
        $property = $command.ImplementingType.GetProperty($parameter.Name)
        $owner = $property.DeclaringType.FullName
        $description = $summaries["$owner.$($parameter.Name)"]
        if (-not $description) { throw "$($command.Name) -$($parameter.Name) has no description: add an XML doc <summary> to $owner.$($parameter.Name)." }
        $attributes = $parameter.ParameterSets.Values
        $mandatory = ($attributes | Where-Object IsMandatory).Count -gt 0
        $positions = $attributes | Where-Object Position -ge 0 | ForEach-Object Position | Select-Object -First 1
        $pipeline = @(if ($attributes | Where-Object ValueFromPipeline) { 'ByValue' }; if ($attributes | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' })
        $pipelineText = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        $globbing = ($property.GetCustomAttributes([System.Management.Automation.SupportsWildcardsAttribute], $true).Count -gt 0).ToString().ToLower()
        $null = $builder.Append("<command:parameter required=`"$($mandatory.ToString().ToLower())`" globbing=`"$globbing`" pipelineInput=`"$pipelineText`" position=`"$(if ($null -ne $positions) { $positions } else { 'named' })`">")
        $null = $builder.Append("<maml:name>$($parameter.Name)</maml:name><maml:description>$(ConvertTo-Paragraphs $description)</maml:description>")
        $null = $builder.Append("<command:parameterValue required=`"true`">$($parameter.ParameterType.Name)</command:parameterValue><dev:type><maml:name>$($parameter.ParameterType.FullName)</maml:name></dev:type></command:parameter>")
    }
    $null = $builder.Append('</command:parameters><command:examples>')
    $number = 0
    foreach ($example in $help.Examples) {
        $number++
        $null = $builder.Append("<command:example><maml:title>--------- Example ${number}: $([Security.SecurityElement]::Escape($example.Title)) ---------</maml:title><dev:code>$([Security.SecurityElement]::Escape($example.Code))</dev:code><dev:remarks>$(ConvertTo-Paragraphs $example.Remarks)</dev:remarks></command:example>")
    }
    $null = $builder.AppendLine('</command:examples></command:command>')
}
$null = $builder.AppendLine('</helpItems>')
$null = New-Item -ItemType Directory -Force $OutputDirectory
$target = Join-Path $OutputDirectory 'Kallglot.PowerShell.dll-Help.xml'
Set-Content -Path $target -Value $builder.ToString() -Encoding utf8NoBOM
[xml](Get-Content -Raw $target) | Out-Null
Copy-Item (Join-Path $HelpSource 'about_Kallglot.help.txt') $OutputDirectory
Write-Host "Help written: $target"
