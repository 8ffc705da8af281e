using System.Management.Automation;
using System.Net.WebSockets;
using System.Text.Json;

namespace Kallglot.Benchmarks.Baselines;

/// <summary>
/// Receive-PlainLoop: the benchmark's plain C# receive loop (ClientWebSocket, one JsonDocument per message, no library
/// in between) run as a cmdlet, writing each message to the pipeline as it is read, on the pipeline thread: the plain
/// loop plus PowerShell's pipeline and nothing else, the reference that tells the module's costs from the pipeline's.
/// A reference, not a bound: a cmdlet that receives on a second thread, as the module does, may overlap the two.
/// </summary>
[Cmdlet("Receive", "PlainLoop")]
[OutputType(typeof(PlainReceivedEvent))]
public sealed class ReceivePlainLoopCommand : PSCmdlet
{
    /// <summary>The stream's WebSocket address, token included.</summary>
    [Parameter(Mandatory = true)]
    public Uri Uri { get; set; } = null!;

    /// <summary>Run once connected, before the first read: what makes the server send (the flood).</summary>
    [Parameter(Mandatory = true)]
    public ScriptBlock OnConnected { get; set; } = null!;

    protected override void EndProcessing()
    {
        using var socket = new ClientWebSocket();
        socket.ConnectAsync(Uri, CancellationToken.None).GetAwaiter().GetResult();
        OnConnected.Invoke();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = ReceiveMessage(socket, buffer);
            using var document = JsonDocument.Parse(buffer.AsMemory(0, received));
            var type = document.RootElement.GetProperty("type").GetString() ?? string.Empty;
            WriteObject(new PlainReceivedEvent(type));
            if (type == "session.ended")
            {
                return;
            }
        }
    }

    private static int ReceiveMessage(ClientWebSocket socket, byte[] buffer)
    {
        var received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            var pending = socket.ReceiveAsync(buffer.AsMemory(received), CancellationToken.None);
            // Read as the plain loop reads: a message already buffered is taken without blocking.
            result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            received += result.Count;
        }
        while (!result.EndOfMessage);
        return received;
    }
}
