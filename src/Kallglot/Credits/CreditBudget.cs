namespace Kallglot.Credits;

/// <summary>
/// A number of sessions that may be created, shared by everyone who holds it (threads, runspaces,
/// parallel creation). A credit is reserved before a request is sent, so no two callers can both take
/// the last one; a request that surely cost nothing gives its reservation back.
/// </summary>
public sealed class CreditBudget
{
    private long _reserved;

    /// <summary>A budget of <paramref name="limit"/> credits.</summary>
    public CreditBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
    }

    /// <summary>The most credits this budget lets be spent.</summary>
    public long Limit { get; }

    /// <summary>Credits reserved or spent so far.</summary>
    public long Spent => Interlocked.Read(ref _reserved);

    /// <summary>Credits still allowed.</summary>
    public long Left => Math.Max(0, Limit - Spent);

    /// <summary>Takes one credit; false (nothing taken) when the budget is used up.</summary>
    public bool TryReserve()
    {
        while (true)
        {
            var reserved = Interlocked.Read(ref _reserved);
            if (reserved >= Limit)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _reserved, reserved + 1, reserved) == reserved)
            {
                return true;
            }
        }
    }

    /// <summary>A separate budget with the same limit and spending: a dry run counts against it and spends nothing.</summary>
    public CreditBudget Copy() => new(Limit) { _reserved = Spent };

    /// <summary>Gives back a credit whose request was refused before it could cost anything.</summary>
    public void Release() => Interlocked.Decrement(ref _reserved);

    /// <inheritdoc />
    public override string ToString() => $"{Spent} of {Limit} credits spent";
}
