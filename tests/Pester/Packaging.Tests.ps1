# The package build.ps1 makes installs with the standard tools from a local folder repository, and
# the installed module imports and works in a fresh process.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:package = if ($env:KALLGLOT_TEST_PACKAGE) { Get-Item $env:KALLGLOT_TEST_PACKAGE } else { Get-ChildItem (Join-Path $PSScriptRoot '../../out/package') -Filter *.nupkg | Select-Object -First 1 }
    $script:repository = "KallglotPackageTest$PID"
    Register-PSResourceRepository -Name $repository -Uri $package.DirectoryName -Trusted
}

AfterAll {
    Unregister-PSResourceRepository -Name $repository
}

Describe 'The module package' {
    It 'installs from a local repository into a temporary path and imports with every cmdlet, its help and its emulator' {
        $package | Should -Not -BeNullOrEmpty -Because 'build.ps1 -Task Test makes the package first'
        $installRoot = Join-Path $TestDrive 'Modules'
        $null = New-Item -ItemType Directory $installRoot

        Save-PSResource -Name Kallglot -Repository $repository -Path $installRoot -TrustRepository
        $manifest = Get-ChildItem $installRoot -Recurse -Filter Kallglot.psd1 | Select-Object -First 1
        $script = {
            param($Manifest)
            $ErrorActionPreference = 'Stop'
            Import-Module $Manifest
            $emulator = Start-KallglotEmulator -Connect
            try {
                $session = New-KallglotSession -PhoneNumber '+14155550100'
                "commands=$((Get-Command -Module Kallglot).Count) help=$((Get-Help New-KallglotSession).Synopsis.Length -gt 20) session=$($session.Id.StartsWith('sess_'))"
            }
            finally { $emulator | Stop-KallglotEmulator }
        }
        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command "& { $script } '$($manifest.FullName)'" 2>&1

        $manifest | Should -Not -BeNullOrEmpty
        $output | Should -Contain 'commands=15 help=True session=True' -Because ($output -join "`n")
    }
}
