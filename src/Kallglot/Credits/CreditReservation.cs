using System.Net;
using Kallglot.Errors;

namespace Kallglot.Credits;

/// <summary>One credit taken from every budget that applies (a command's and the process's), given back together when the request cost nothing.</summary>
public sealed class CreditReservation
{
    private readonly CreditBudget[] _budgets;
    private int _released;

    private CreditReservation(CreditBudget[] budgets)
    {
        _budgets = budgets;
    }

    /// <summary>Takes one credit from each budget given; null (nothing taken) when any of them is used up.</summary>
    public static CreditReservation? TryTake(params CreditBudget?[] budgets)
    {
        var taken = new List<CreditBudget>();
        foreach (var budget in budgets)
        {
            if (budget is null)
            {
                continue;
            }
            if (!budget.TryReserve())
            {
                taken.ForEach(done => done.Release());
                return null;
            }
            taken.Add(budget);
        }
        return new CreditReservation(taken.ToArray());
    }

    /// <summary>
    /// Whether a session request that failed with <paramref name="failure"/> cost nothing: refused before it was sent (a bad
    /// value, no API key) or by the API (4xx). A 5xx may come from a gateway after the session was made, and a broken
    /// connection may have reached the server: those keep their credit spent, so a budget is never exceeded.
    /// </summary>
    public static bool CostNothing(Exception? failure) =>
        failure is KallglotException { Kind: KallglotErrorKind.InvalidArgument } or KallglotException { ErrorId: "api_key_missing" }
            or KallglotApiException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError };

    /// <summary>Gives the credit back to every budget (once): the request was refused before it could cost anything.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            foreach (var budget in _budgets)
            {
                budget.Release();
            }
        }
    }
}
