# The recipes of docs/scaling.md, run as written: one batch of calls spread over thread jobs,
# process jobs and (local stand-ins for) remote hosts, with the session ledger as the one report.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Sessions end three seconds after their audio, as calls hang up: each batch runs to its calls' end. Not one second: a fresh
    # job process pays its first send's compilation between connecting and the first frame, which on a loaded machine can take that long.
    $script:emulator = Start-KallglotEmulator -IdleTimeoutSeconds 3
    $script:batchScript = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/Invoke-KallglotCallBatch.ps1')).Path
    $script:moduleManifest = (Resolve-Path $modulePath).Path
    # 0.8 s of tone, then the 0.6 s of silence that ends an utterance and some: 80 frames.
    $script:utterance = New-ToneWav (Join-Path $TestDrive 'utterance.wav') -Rate 8000 -Seconds 0.8 -SilenceSeconds 0.8

    function New-Call([int] $Count, [int] $From) {
        foreach ($n in 1..$Count) {
            [pscustomobject]@{ PhoneNumber = '+1415555{0:d4}' -f ($From + $n); AudioPath = $utterance; TargetLanguage = 'es' }
        }
    }

    function Use-SharedLedger {
        $script:ledger = Join-Path $TestDrive ("ledger-{0}.jsonl" -f [guid]::NewGuid().ToString('n'))
        Connect-Kallglot -BaseUri $emulator.BaseUri -ApiKey $emulator.ApiKey -LedgerPath $ledger
    }

    function Assert-EveryCallReported($Results, [int] $Calls, [string] $LedgerPath) {
        $Results | Should -HaveCount $Calls
        $Results | ForEach-Object {
            $_.Finals | Should -BeGreaterOrEqual 1 -Because "call $($_.PhoneNumber) spoke once"
            $_.EndReason | Should -Be 'idle_timeout'
        }
        # The outcome line follows the stream's close on its own thread: wait for it, never sleep.
        Wait-Until -Because 'every outcome in the ledger' {
            @(Get-KallglotSession -LedgerPath $LedgerPath -Id $Results.SessionId -Status Ended).Count -eq $Calls
        }
        $records = Get-KallglotSession -LedgerPath $LedgerPath -Id $Results.SessionId
        $records | Should -HaveCount $Calls
        $records.EndReason | Sort-Object -Unique | Should -Be 'idle_timeout'
        ($records | Measure-Object FramesSent -Sum).Sum | Should -Be (80 * $Calls)
    }
}

AfterAll {
    Disconnect-Kallglot
    $emulator | Stop-KallglotEmulator
}

Describe 'Invoke-KallglotCallBatch in one process' {
    BeforeAll { Use-SharedLedger }

    It 'follows every call of the batch with one receive and reports each' {
        $results = New-Call 4 -From 0 | & $batchScript -MaxCallSeconds 60

        Assert-EveryCallReported $results -Calls 4 -LedgerPath $ledger
        $results.Worker | Sort-Object -Unique | Should -Be ('{0}/{1}' -f [Environment]::MachineName, $PID)
    }

    It 'reports a call that could not start with its error, and pairs every other call with its own session' {
        $calls = @(New-Call 3 -From 100)
        $calls[0].PhoneNumber = 'not a number'
        $calls[1].AudioPath = Join-Path $TestDrive 'missing.wav'

        $results = $calls | & $batchScript -MaxCallSeconds 60

        $results | Should -HaveCount 3
        $results[0].SessionId | Should -BeNullOrEmpty
        $results[0].Error | Should -Match '^invalid_phone_number,'
        $results[1].SessionId | Should -BeNullOrEmpty -Because 'a call whose audio is missing spends no credit'
        $results[1].Error | Should -Match '^audio_file_not_found'
        $results[2].PhoneNumber | Should -Be $calls[2].PhoneNumber
        $results[2].Error | Should -BeNullOrEmpty
        $results[2].Finals | Should -BeGreaterOrEqual 1
        $results[2].EndReason | Should -Be 'idle_timeout'
        (Get-KallglotSession -LedgerPath $ledger -Id $results[2].SessionId).Target | Should -Be $calls[2].PhoneNumber
    }
}

Describe 'Spreading calls over thread jobs (Start-ThreadJob)' {
    BeforeAll { Use-SharedLedger }

    It 'runs each share in its own runspace on the context Connect-Kallglot set, into the one ledger' {
        $shares = @((New-Call 3 -From 100), (New-Call 3 -From 200))

        $jobs = foreach ($share in $shares) {
            Start-ThreadJob -ArgumentList (, $share) -ScriptBlock {
                param($Calls)
                Import-Module $using:moduleManifest
                $Calls | & $using:batchScript -MaxCallSeconds 60
            }
        }
        $results = $jobs | Wait-Job -Timeout 120 | Receive-Job
        $jobs | Remove-Job -Force

        Assert-EveryCallReported $results -Calls 6 -LedgerPath $ledger
        (Get-KallglotSession -Id $results.SessionId) | Should -HaveCount 6 -Because 'the jobs wrote the ledger Connect-Kallglot set'
    }
}

Describe 'Spreading calls over processes (Start-Job)' {
    BeforeAll { Use-SharedLedger }

    It 'runs each share in its own pwsh process, all writing the one ledger file' {
        $shares = @((New-Call 3 -From 300), (New-Call 3 -From 400))

        $jobs = foreach ($share in $shares) {
            Start-Job -ArgumentList $moduleManifest, $batchScript, $emulator.BaseUri, $emulator.ApiKey, $ledger, $share -ScriptBlock {
                param($Module, $Batch, $BaseUri, $ApiKey, $LedgerPath, $Calls)
                Import-Module $Module
                Connect-Kallglot -BaseUri $BaseUri -ApiKey $ApiKey -LedgerPath $LedgerPath
                $Calls | & $Batch -MaxCallSeconds 60
            }
        }
        $results = $jobs | Wait-Job -Timeout 180 | Receive-Job
        $jobs | Remove-Job -Force

        Assert-EveryCallReported $results -Calls 6 -LedgerPath $ledger
        $workers = $results.Worker | Sort-Object -Unique
        $workers | Should -HaveCount 2
        $workers | Should -Not -Contain ('{0}/{1}' -f [Environment]::MachineName, $PID)
    }
}

Describe 'Spreading calls over hosts (Invoke-Command -Session)' {
    BeforeAll {
        Use-SharedLedger
        # Two local pwsh processes stand in for two hosts: a named-pipe PSSession is the same remoting
        # as New-PSSession -HostName (SSH) or -ComputerName (WinRM), without a server to set up.
        function New-LocalHostSession {
            [CmdletBinding()]
            param([string] $PipeName)
            $process = Start-Process -FilePath (Get-Process -Id $PID).Path -PassThru -RedirectStandardOutput (Join-Path $TestDrive "$PipeName.out") `
                -ArgumentList (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-CustomPipeName', $PipeName, '-Command', 'while ($true) { Start-Sleep 1 }'
            # Stopped in AfterAll even if this host never comes up.
            $started.Add($process)
            $pipe = if ($IsWindows) { "\\.\pipe\$PipeName" } else { Join-Path ([IO.Path]::GetTempPath()) "CoreFxPipe_$PipeName" }
            Wait-Until -TimeoutSec 60 -Because "pwsh $PipeName to listen" { Test-Path $pipe }
            $runspace = [runspacefactory]::CreateRunspace([System.Management.Automation.Runspaces.NamedPipeConnectionInfo]::new($PipeName))
            $runspace.Open()
            [pscustomobject]@{ Process = $process; Session = [System.Management.Automation.Runspaces.PSSession]::Create($runspace, 'NamedPipe', $PSCmdlet) }
        }
        $script:started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
        $script:hosts = 1..2 | ForEach-Object { New-LocalHostSession -PipeName ("kallglot-host-{0}-{1}" -f $PID, $_) }
        $script:sessions = $hosts.Session
    }

    AfterAll {
        if ($sessions) { $sessions | Remove-PSSession }
        $started | Stop-Process -Force -ErrorAction SilentlyContinue
    }

    It 'runs a share on each host, each into its own ledger, and gathers the ledgers into one report' {
        $shares = @((New-Call 3 -From 500), (New-Call 3 -From 600))
        $hostLedgers = 1..2 | ForEach-Object { Join-Path $TestDrive "host-$_.jsonl" }
        $setup = {
            param($Module, $BaseUri, $ApiKey, $LedgerPath)
            Import-Module $Module
            Connect-Kallglot -BaseUri $BaseUri -ApiKey $ApiKey -LedgerPath $LedgerPath
        }
        for ($i = 0; $i -lt 2; $i++) {
            Invoke-Command -Session $sessions[$i] -ScriptBlock $setup -ArgumentList $moduleManifest, $emulator.BaseUri, $emulator.ApiKey, $hostLedgers[$i]
        }

        # -FilePath sends the script itself; the hosts need only the module and the calls' audio.
        $jobs = for ($i = 0; $i -lt 2; $i++) {
            Invoke-Command -Session $sessions[$i] -AsJob -FilePath $batchScript -ArgumentList $shares[$i], 60
        }
        $results = $jobs | Wait-Job -Timeout 180 | Receive-Job
        $jobs | Remove-Job -Force
        $ids = $results.SessionId
        Wait-Until -Because 'every host to record its outcomes' {
            @(Invoke-Command -Session $sessions { Get-KallglotSession -Id $using:ids -Status Ended }).Count -eq 6
        }
        $report = Invoke-Command -Session $sessions { Get-KallglotSession -Id $using:ids }

        $results | Should -HaveCount 6
        $results.Finals | Where-Object { $_ -lt 1 } | Should -BeNullOrEmpty
        ($results.Worker | Sort-Object -Unique) | Should -HaveCount 2
        $report | Should -HaveCount 6
        $report.PSComputerName | Should -Not -Contain $null -Because 'each row says which host it came from'
        $report.EndReason | Sort-Object -Unique | Should -Be 'idle_timeout'
        ($report | Measure-Object FramesSent -Sum).Sum | Should -Be 480
        @(Get-Content $hostLedgers[0]).Count | Should -BeGreaterOrEqual 3 -Because 'each host wrote its own ledger'
        @(Get-Content $hostLedgers[1]).Count | Should -BeGreaterOrEqual 3
    }
}
