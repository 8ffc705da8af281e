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
    public void A_line_appended_after_a_cut_one_starts_on_its_own_and_only_the_fragment_is_damaged()
    {
        // A full disk or a killed process leaves a line without its end; the next writer must not glue its line to it.
        var ledger = new SessionLedger(Path.Combine(_folder, "sessions.jsonl"));
        ledger.Append(Created("sess_a"));
        File.AppendAllText(ledger.Path, "{\"kind\":\"created\",\"id\":\"sess_cu");
        ledger.Append(Created("sess_b"));
        var damaged = new List<long>();

        var records = ledger.Read((line, _) => damaged.Add(line));

        Assert.Equal(["sess_a", "sess_b"], records.Select(record => record.Id));
        Assert.Equal([2L], damaged);
    }

    [Fact]
    public void A_kind_of_line_this_version_does_not_know_changes_nothing_it_knows()
    {
        var ledger = new SessionLedger(Path.Combine(_folder, "sessions.jsonl"));
        ledger.Append(Created("sess_a"));
        File.AppendAllText(ledger.Path, "{\"kind\":\"billed\",\"id\":\"sess_a\",\"at\":\"2026-12-02T10:00:00Z\",\"credits\":3}\n");
        File.AppendAllText(ledger.Path, "{\"kind\":\"billed\",\"id\":\"sess_z\",\"at\":\"2026-12-02T10:00:00Z\"}\n");
        File.AppendAllText(ledger.Path, "{\"kind\":\"checkpoint\",\"at\":\"2026-12-02T10:00:00Z\"}\n");
        var damaged = new List<long>();

        var record = Assert.Single(ledger.Read((line, _) => damaged.Add(line)));

        Assert.Empty(damaged);

        Assert.Equal(("sess_a", "+14155550100", "es", 1L), (record.Id, record.Target, record.TargetLanguage, record.CreditsUsed));
    }

    [Fact]
    public void A_missing_ledger_reads_as_empty()
    {
        Assert.Empty(new SessionLedger(Path.Combine(_folder, "none.jsonl")).Read());
    }
}
