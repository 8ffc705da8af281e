using Kallglot.Sessions;

namespace Kallglot.PowerShell.Commands;

/// <summary>A session a parallel row created, with why its ledger line could not be written (null when it was).</summary>
internal sealed record CreatedSession(KallglotSession Session, string? LedgerFailure);
