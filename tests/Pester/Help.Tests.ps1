# Every exported cmdlet has help a person can learn from: a synopsis, a description, every
# parameter described and at least two examples. A missing piece fails here.
BeforeDiscovery {
    . $PSScriptRoot/Common.ps1
    $script:commands = Get-Command -Module Kallglot -CommandType Cmdlet | ForEach-Object Name
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <_>' -ForEach $commands {
    BeforeAll { $script:help = Get-Help $_ -Full }

    It 'has a synopsis of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+ \[' -Because 'a synopsis that is the syntax means no help was found'
    }

    It 'has a description' {
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 40
    }

    It 'has at least two examples with code' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        $help.examples.example | ForEach-Object { $_.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $parameters = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($name in $parameters) {
            $described = $help.parameters.parameter | Where-Object name -eq $name
            ($described.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }

    It 'says which parameters take wildcards, as the cmdlet does' {
        foreach ($parameter in (Get-Command $_).Parameters.Values | Where-Object { $_.Name -notin $common }) {
            $takesWildcards = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            ($help.parameters.parameter | Where-Object name -eq $parameter.Name).globbing | Should -Be $takesWildcards.ToString().ToLower() -Because "-$($parameter.Name)'s help"
        }
    }
}

Describe 'about_Kallglot' {
    It 'covers setup, the stream model, credits, the emulator and troubleshooting' {
        $text = Get-Help about_Kallglot | Out-String

        foreach ($section in 'SETUP', 'THE STREAM MODEL', 'CREDITS', 'THE EMULATOR', 'TROUBLESHOOTING') {
            $text | Should -Match $section
        }
    }
}
