using Kallglot.Credits;
using Kallglot.Sessions;

namespace Kallglot.PowerShell.Commands;

/// <summary>A session being created in parallel: its row, the credit it holds, and the creation under way.</summary>
internal sealed record PendingCreation(string Target, CreditReservation Reservation, Task<KallglotSession> Task);
