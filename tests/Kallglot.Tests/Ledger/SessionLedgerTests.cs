using Kallglot.Ledger;

namespace Kallglot.Tests.Ledger;

public sealed class SessionLedgerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kallglot-ledger-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static SessionLedgerEntry Created(string id) => new()
    {
        Kind = "created",
        Id = id,
        At = DateTimeOffset.UtcNow,
        Routing = new Dictionary<string, object?> { ["phone_number"] = "+14155550100" },
        TargetLanguage = "es",
        Credits = 1,
        CreditsRemaining = 99,
    };

    [Fact]
    public async Task Twenty_threads_appending_at_once_lose_and_interleave_no_line()
    {
        var ledger = new SessionLedger(Path.Combine(_folder, "nested", "sessions.jsonl"));

        await Task.WhenAll(Enumerable.Range(0, 20).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                ledger.Append(Created($"sess_{thread}_{i}"));
            }
        })));
        var damaged = new List<long>();
        var records = ledger.Read((line, _) => damaged.Add(line));

        Assert.Equal(1000, File.ReadAllLines(ledger.Path).Length);
        Assert.Empty(damaged);
        Assert.Equal(1000, records.Select(record => record.Id).Distinct().Count());
    }

    [Fact]
    public void An_outcome_line_completes_its_session_and_a_damaged_line_is_skipped_by_number()
    {
        var ledger = new SessionLedger(Path.Combine(_folder, "sessions.jsonl"));
        ledger.Append(Created("sess_a"));
        File.AppendAllText(ledger.Path, "{\"kind\":\"outcome\", oops\n");
        ledger.Append(new SessionLedgerEntry { Kind = "outcome", Id = "sess_a", At = DateTimeOffset.UtcNow, State = "Ended", EndReason = "caller_hung_up", FramesSent = 50, AudioSecondsSent = 1.0, Reconnects = 1 });
        var damaged = new List<long>();

        var record = Assert.Single(ledger.Read((line, _) => damaged.Add(line)));

        Assert.Equal([2L], damaged);
        Assert.Equal(("Ended", "caller_hung_up", 50L, 1), (record.Status, record.EndReason, record.FramesSent!.Value, record.Reconnects!.Value));
        Assert.Equal("+14155550100", record.Target);
        Assert.Equal(1, record.CreditsUsed);
    }

    [Fact]
    public void A_missing_ledger_reads_as_empty()
    {
        Assert.Empty(new SessionLedger(Path.Combine(_folder, "none.jsonl")).Read());
    }
}
