using Kallglot.Credits;

namespace Kallglot.PowerShell.Commands;

/// <summary>A row of a parallel creation, in its place: the credit it holds (none for a row refused before any request) and its outcome.</summary>
internal sealed record PendingCreation(string Target, CreditReservation? Reservation, Task<CreatedSession> Task);
