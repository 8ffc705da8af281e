using Kallglot.Errors;

namespace Kallglot.Credits;

/// <summary>A session was not created because a credit budget is used up; no request was sent.</summary>
public sealed class CreditBudgetExhaustedException : KallglotException
{
    /// <summary>Creates the error for <paramref name="target"/> and the budget that ran out.</summary>
    public CreditBudgetExhaustedException(string target, CreditBudget budget, string whose)
        : base("credit_budget_exhausted", KallglotErrorKind.QuotaExceeded,
            $"No session was created for {target}: {whose} credit budget of {budget.Limit} is used up ({budget.Spent} spent), and no request was sent. Raise it with {(whose == "this command's" ? "-MaxCredits" : "Connect-Kallglot -MaxCredits")} if more sessions are meant.")
    {
        RecommendedAction = "Raise the budget, or create fewer sessions.";
    }
}
