using System.Net.WebSockets;

namespace Kallglot.Benchmarks.Harness;

/// <summary>What the plain C# baselines share: reading one whole message into a buffer, no library in between.</summary>
internal static class PlainWebSocket
{
    public static async Task<int> ReceiveMessageAsync(ClientWebSocket socket, byte[] buffer)
    {
        var received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(received), CancellationToken.None);
            received += result.Count;
        }
        while (!result.EndOfMessage);
        return received;
    }

    /// <summary>The start of every module script: import, then a session and its stream against the emulator.</summary>
    public const string ModuleScriptPrologue = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $env:KG_MODULE
        $key = ConvertTo-SecureString $env:KG_KEY -AsPlainText -Force
        function New-BenchmarkStream { New-KallglotSession -PhoneNumber '+14155550100' -BaseUri $env:KG_BASE -ApiKey $key | Connect-KallglotStream }

        """;
}
