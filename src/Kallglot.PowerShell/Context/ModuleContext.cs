using System.Net;
using System.Security;
using Kallglot.Credits;
using Kallglot.Errors;
using Kallglot.Ledger;
using Kallglot.Security;

namespace Kallglot.PowerShell.Context;

/// <summary>
/// The defaults Connect-Kallglot sets for this PowerShell process, and the resolution order every
/// cmdlet follows: its own parameters, Connect-Kallglot, the environment, the public endpoint.
/// </summary>
internal static class ModuleContext
{
    public const string ApiKeyVariable = "KALLGLOT_API_KEY";
    public const string BaseUrlVariable = "KALLGLOT_BASE_URL";

    /// <summary>The source of a base URI when <see cref="BaseUrlVariable"/> is set but is not an absolute URL: nothing is sent then.</summary>
    public const string UnreadableBaseUrlSource = "Environment (" + BaseUrlVariable + " unreadable: no request is sent)";

    private static readonly object Gate = new();
    private static SecureString? _apiKey;
    private static Uri? _baseUri;
    private static bool _allowInsecureConnection;
    private static CreditBudget? _budget;
    private static long? _lowCreditWarning;
    private static bool _lowCreditWarned;
    private static bool _creditsNotReportedWarned;
    private static long _lastCreditsRemaining = -1;
    private static string? _ledgerPath;
    private static bool _noLedger;

    /// <summary>
    /// Changes what the call names and nothing else: a key alone keeps the endpoint and whether it may
    /// be insecure; a new endpoint comes with its own allowance (off unless given).
    /// </summary>
    /// <param name="apiKey">The new key, or null to keep the current one.</param>
    /// <param name="baseUri">The new endpoint, or null to keep the current one.</param>
    /// <param name="allowInsecureConnection">Null when the caller did not name it.</param>
    public static void Set(SecureString? apiKey, Uri? baseUri, bool? allowInsecureConnection)
    {
        lock (Gate)
        {
            if (apiKey is not null)
            {
                _apiKey?.Dispose();
                _apiKey = apiKey.Copy();
                _apiKey.MakeReadOnly();
            }
            if (baseUri is not null)
            {
                _baseUri = baseUri;
                _allowInsecureConnection = allowInsecureConnection ?? false;
            }
            else if (allowInsecureConnection is { } allow)
            {
                _allowInsecureConnection = allow;
            }
        }
    }

    /// <summary>The endpoint and allowance a Set with these values would leave, for checking before it is made.</summary>
    public static (Uri? BaseUri, bool AllowInsecureConnection) Preview(Uri? baseUri, bool? allowInsecureConnection)
    {
        lock (Gate)
        {
            return baseUri is not null
                ? (baseUri, allowInsecureConnection ?? false)
                : (_baseUri, allowInsecureConnection ?? _allowInsecureConnection);
        }
    }

    public static void Clear()
    {
        lock (Gate)
        {
            _apiKey?.Dispose();
            _apiKey = null;
            _baseUri = null;
            _allowInsecureConnection = false;
            _budget = null;
            _lowCreditWarning = null;
            _lowCreditWarned = false;
            _creditsNotReportedWarned = false;
            _ledgerPath = null;
            _noLedger = false;
        }
    }

    /// <summary>Everything the cmdlets would use now, as Get-KallglotContext shows it.</summary>
    public static KallglotContext Snapshot()
    {
        var (baseUri, baseSource) = ResolveBaseUri(null);
        var (key, keySource) = ResolveApiKey(null);
        var budget = Budget;
        return new KallglotContext(baseUri, baseSource, key, keySource, AllowInsecureConnection)
        {
            CreditBudget = budget?.Limit,
            CreditsSpent = budget?.Spent,
            CreditsRemaining = LastCreditsRemaining,
            LowCreditWarning = LowCreditWarning,
            LedgerPath = Ledger?.Path,
        };
    }

    /// <summary>The process's credit budget (Connect-Kallglot -MaxCredits), shared by every runspace; null when none.</summary>
    public static CreditBudget? Budget
    {
        get
        {
            lock (Gate)
            {
                return _budget;
            }
        }
    }

    /// <summary>The last X-API-Credits-Remaining any session creation in this process reported.</summary>
    public static long? LastCreditsRemaining => Interlocked.Read(ref _lastCreditsRemaining) is var value && value >= 0 ? value : null;

    /// <summary>The threshold of Connect-Kallglot -LowCreditWarning.</summary>
    public static long? LowCreditWarning
    {
        get
        {
            lock (Gate)
            {
                return _lowCreditWarning;
            }
        }
    }

    /// <summary>Sets the process budget and the low-credit threshold; null leaves each as it is.</summary>
    public static void SetCredits(long? maxCredits, long? lowCreditWarning)
    {
        lock (Gate)
        {
            if (maxCredits is { } limit)
            {
                _budget = new CreditBudget(limit);
            }
            if (lowCreditWarning is { } threshold)
            {
                _lowCreditWarning = threshold;
                _lowCreditWarned = false;
                _creditsNotReportedWarned = false;
            }
        }
    }

    /// <summary>Records what the API said is left; true once, the first time it is below the warning threshold.</summary>
    public static bool ReportCreditsRemaining(long? remaining)
    {
        if (remaining is not { } value)
        {
            return false;
        }
        Interlocked.Exchange(ref _lastCreditsRemaining, value);
        lock (Gate)
        {
            if (_lowCreditWarning is { } threshold && value < threshold && !_lowCreditWarned)
            {
                _lowCreditWarned = true;
                return true;
            }
            return false;
        }
    }

    /// <summary>True once, for the first answer that reported no credits left while a warning threshold is set: the threshold cannot apply.</summary>
    public static bool ReportCreditsNotReported()
    {
        lock (Gate)
        {
            if (_lowCreditWarning is null || _creditsNotReportedWarned)
            {
                return false;
            }
            _creditsNotReportedWarned = true;
            return true;
        }
    }

    /// <summary>Sets where the ledger is written: a path, off, or (both null/false) as it was.</summary>
    public static void SetLedger(string? path, bool off)
    {
        lock (Gate)
        {
            if (off)
            {
                _noLedger = true;
                _ledgerPath = null;
            }
            else if (path is not null)
            {
                _noLedger = false;
                _ledgerPath = path;
            }
        }
    }

    /// <summary>The ledger sessions are recorded in, or null when it is off.</summary>
    public static SessionLedger? Ledger
    {
        get
        {
            lock (Gate)
            {
                return _noLedger ? null : new SessionLedger(_ledgerPath ?? SessionLedger.DefaultPath());
            }
        }
    }

    public static (KallglotSecret? Key, string Source) ResolveApiKey(SecureString? parameter)
    {
        if (parameter is { Length: > 0 })
        {
            return (ToSecret(parameter), "Parameter");
        }
        lock (Gate)
        {
            if (_apiKey is { Length: > 0 })
            {
                return (ToSecret(_apiKey), "Connect-Kallglot");
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(ApiKeyVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? (null, "None")
            : (new KallglotSecret(fromEnvironment.Trim()), $"Environment ({ApiKeyVariable})");
    }

    public static (Uri BaseUri, string Source) ResolveBaseUri(Uri? parameter)
    {
        if (parameter is not null)
        {
            return (parameter, "Parameter");
        }
        lock (Gate)
        {
            if (_baseUri is not null)
            {
                return (_baseUri, "Connect-Kallglot");
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(BaseUrlVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Uri.TryCreate(fromEnvironment.Trim(), UriKind.Absolute, out var uri)
                ? (uri, $"Environment ({BaseUrlVariable})")
                : (KallglotClientOptions.DefaultBaseUri, UnreadableBaseUrlSource);
        }
        return (KallglotClientOptions.DefaultBaseUri, "Default");
    }

    public static bool AllowInsecureConnection
    {
        get
        {
            lock (Gate)
            {
                return _allowInsecureConnection;
            }
        }
    }

    /// <summary>
    /// Whether Connect-Kallglot's clear-text allowance covers <paramref name="endpoint"/>: it was given for the context's endpoint,
    /// so it covers that endpoint (and the sessions created there), never another one a call names.
    /// </summary>
    public static bool AllowsInsecureConnectionTo(Uri endpoint) =>
        AllowInsecureConnection &&
        Uri.Compare(endpoint, ResolveBaseUri(null).BaseUri, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>Whether a key given as a SecureString holds nothing but white space (typed or pasted by mistake).</summary>
    public static bool IsBlank(SecureString key) => string.IsNullOrWhiteSpace(new NetworkCredential(string.Empty, key).Password);

    private static KallglotSecret ToSecret(SecureString secure)
    {
        var key = new NetworkCredential(string.Empty, secure).Password.Trim();
        return key.Length == 0
            ? throw new KallglotValidationException("api_key_empty", "ApiKey", "The API key is only white space. Give the key from the Kallglot dashboard, such as -ApiKey (Read-Host -AsSecureString 'Kallglot API key').")
            : new KallglotSecret(key);
    }
}
