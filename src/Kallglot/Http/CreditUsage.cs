namespace Kallglot.Http;

/// <summary>The credit figures the API reports on every response (<c>X-API-Credits-Remaining</c>, <c>X-API-Credits-Used</c>).</summary>
/// <param name="Remaining">Credits left to the organization, when reported.</param>
/// <param name="Used">Credits consumed, when reported.</param>
public sealed record CreditUsage(long? Remaining, long? Used)
{
    /// <summary>The header that carries the credits left.</summary>
    public const string RemainingHeader = "X-API-Credits-Remaining";

    /// <summary>The header that carries the credits used.</summary>
    public const string UsedHeader = "X-API-Credits-Used";

    /// <summary>Reads both headers; null when neither is present or readable.</summary>
    public static CreditUsage? FromHeaders(Func<string, string?> header)
    {
        var remaining = ParseCount(header(RemainingHeader));
        var used = ParseCount(header(UsedHeader));
        return remaining is null && used is null ? null : new CreditUsage(remaining, used);
    }

    private static long? ParseCount(string? value) =>
        long.TryParse(value?.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : null;

    /// <inheritdoc />
    public override string ToString() => $"credits remaining {Remaining?.ToString() ?? "?"}, used {Used?.ToString() ?? "?"}";
}
