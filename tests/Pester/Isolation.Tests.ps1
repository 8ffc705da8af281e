# The module's dependencies load in their own AssemblyLoadContext: a session that already loaded
# other versions of System.Reactive and Microsoft.Extensions.Logging.Abstractions can still import
# the module and stream. Proven in a fresh process, since a loaded assembly cannot be unloaded.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:packages = if ($env:KALLGLOT_TEST_PACKAGES) { $env:KALLGLOT_TEST_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
}

Describe 'Assembly isolation' {
    It 'imports and streams after System.Reactive 5 and Logging.Abstractions 6 were loaded first' {
        $reactive = Join-Path $packages 'system.reactive/5.0.0/lib/net5.0/System.Reactive.dll'
        $logging = Join-Path $packages 'microsoft.extensions.logging.abstractions/6.0.0/lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll'
        $reactive, $logging | ForEach-Object { $_ | Should -Exist -Because 'build.ps1 restores tools/Tools.proj, which downloads them' }
        $script = {
            param($Reactive, $Logging, $Module)
            $ErrorActionPreference = 'Stop'
            Add-Type -Path $Reactive
            Add-Type -Path $Logging
            Import-Module $Module
            $emulator = Start-KallglotEmulator -Connect
            try {
                $stream = New-KallglotSession -PhoneNumber '+14155550100' | Connect-KallglotStream
                $ready = Receive-KallglotStream $stream -Wait -TimeoutSec 20 | Select-Object -First 1
                $stream | Disconnect-KallglotStream
                $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Reactive' } | ForEach-Object { $_.GetName().Version.Major }
                "ready=$($ready.Type) reactive=$(($loaded | Sort-Object) -join ',')"
            }
            finally { $emulator | Stop-KallglotEmulator }
        }
        $command = "& { $script } '$reactive' '$logging' '$((Join-Path (Get-Module Kallglot).ModuleBase 'Kallglot.psd1'))'"

        $output = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $command 2>&1

        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'ready=session.ready reactive=5,6'
    }
}
