@{
    RootModule           = 'Kallglot.PowerShell.dll'
    # Imported before the root module: it loads the engine and its dependencies in their own context.
    NestedModules        = @('Kallglot.PowerShell.Loader.dll')
    # build.ps1 writes the version from Directory.Build.props (KallglotVersion) into the built copy.
    ModuleVersion        = '0.0.0'
    GUID                 = '6f4c1f0e-2d4b-4c8e-9a51-7b1f3c2e9d40'
    Author               = 'Kallglot PowerShell module contributors'
    CompanyName          = 'Kallglot'
    Copyright            = '(c) Kallglot PowerShell module contributors. MIT License.'
    Description          = 'Drive the Kallglot real-time voice translation API from PowerShell: create sessions, stream audio, and get typed transcript, translation and audio events in the pipeline. Includes an offline emulator of the API.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('Kallglot.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-Kallglot'
        'Disconnect-Kallglot'
        'Get-KallglotContext'
        'New-KallglotSession'
        'Get-KallglotSession'
        'Connect-KallglotStream'
        'Receive-KallglotStream'
        'Disconnect-KallglotStream'
        'Send-KallglotAudio'
        'Export-KallglotTranscript'
        'Import-KallglotRecording'
        'Test-KallglotConnection'
        'Invoke-KallglotRequest'
        'Start-KallglotEmulator'
        'Stop-KallglotEmulator'
    )
    FileList             = @(
        'Kallglot.psd1'
        'Kallglot.PowerShell.dll'
        'Kallglot.PowerShell.Loader.dll'
        'Kallglot.format.ps1xml'
        'en-US/Kallglot.PowerShell.dll-Help.xml'
        'en-US/about_Kallglot.help.txt'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Kallglot', 'Translation', 'Voice', 'Speech', 'WebSocket', 'Realtime', 'Telephony', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/kallglot/kallglot-powershell'
            LicenseUri   = 'https://github.com/kallglot/kallglot-powershell/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
