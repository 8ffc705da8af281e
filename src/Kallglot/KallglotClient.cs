using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Kallglot.Errors;
using Kallglot.Http;
using Kallglot.Security;
using Kallglot.Sessions;

namespace Kallglot;

/// <summary>
/// The HTTP side of the Kallglot API: creates sessions and sends any other request with the same
/// authentication, error reading, credit headers and retry rule. Thread-safe; cheap to create.
/// </summary>
public sealed class KallglotClient
{
    private static readonly HttpClient SharedHttpClient = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = DecompressionMethods.All,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly string ProductToken =
        $"Kallglot-PowerShell/{typeof(KallglotClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0"}";

    // Longest mark first: UTF-32's little-endian mark begins with UTF-16's.
    private static readonly Encoding[] MarkedEncodings = [Encoding.UTF8, Encoding.UTF32, Encoding.Unicode, Encoding.BigEndianUnicode];

    private readonly KallglotClientOptions _options;
    private readonly HttpClient _http;
    private readonly RetryPolicy _retry;

    /// <summary>Creates a client; the options are copied, so later changes to them do not affect it.</summary>
    /// <exception cref="KallglotValidationException">The base URI is not usable.</exception>
    public KallglotClient(KallglotClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        EndpointGuard.EnsureAllowedApiBase(_options.BaseUri, _options.AllowInsecureConnection);
        _http = _options.Transport is null ? SharedHttpClient : new HttpClient(_options.Transport, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _retry = new RetryPolicy(_options);
    }

    /// <summary>The endpoint this client talks to.</summary>
    public Uri BaseUri => _options.BaseUri;

    internal KallglotClientOptions Options => _options;

    /// <summary>Creates a session (<c>POST /v1/sessions</c>); costs one API credit.</summary>
    /// <exception cref="KallglotValidationException">The request is invalid; nothing was sent.</exception>
    /// <exception cref="KallglotApiException">The API refused it.</exception>
    /// <exception cref="KallglotException">The server could not be reached or its answer could not be read.</exception>
    public async Task<KallglotSession> CreateSessionAsync(CreateSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var response = await SendAsync(HttpMethod.Post, "/v1/sessions", request.ToJson(), cancellationToken).ConfigureAwait(false);
        return SessionResponseReader.Read(response.Body, _options.BaseUri, request, response.Credits, response.RequestId, _options.TimeProvider.GetUtcNow());
    }

    /// <summary>Sends any request to the API and returns the successful response; an error status throws <see cref="KallglotApiException"/>.</summary>
    public async Task<KallglotResponse> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var uri = BuildUri(path);
        var apiKey = _options.ApiKey ?? throw new KallglotException("api_key_missing", KallglotErrorKind.Authentication,
            "No Kallglot API key is set. Pass -ApiKey, run Connect-Kallglot -ApiKey (Read-Host -AsSecureString), or set the KALLGLOT_API_KEY environment variable.")
        {
            RecommendedAction = "Give an API key with -ApiKey, Connect-Kallglot or KALLGLOT_API_KEY.",
        };
        var bodyText = body?.ToJsonString();
        var display = $"{method.Method} {uri.AbsolutePath}";

        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.NetworkTimeout);
            var stopwatch = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                using var message = new HttpRequestMessage(method, uri);
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Reveal());
                message.Headers.UserAgent.ParseAdd(_options.ApplicationId is null ? ProductToken : $"{ProductToken} {_options.ApplicationId}");
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (bodyText is not null)
                {
                    message.Content = new StringContent(bodyText, Encoding.UTF8, "application/json");
                }
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log($"{display} timed out after {stopwatch.ElapsedMilliseconds} ms");
                throw new KallglotException("request_timeout", KallglotErrorKind.Timeout,
                    $"{display} got no answer within {_options.NetworkTimeout.TotalSeconds:0.#} s. The request may have reached the server; check the session list in the Kallglot dashboard before trying again.");
            }
            catch (HttpRequestException exception) when (NeverReachedServer(exception))
            {
                if (attempt < _retry.MaxRetries)
                {
                    var delay = _retry.Backoff(attempt + 1);
                    Log($"{display} could not reach {uri.Authority} ({Describe(exception)}); retry {attempt + 1} of {_retry.MaxRetries} in {delay.TotalSeconds:0.0} s");
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw new KallglotException("connection_failed", KallglotErrorKind.Connection,
                    $"Could not reach the Kallglot API at {uri.GetLeftPart(UriPartial.Authority)} ({Describe(exception)}) after {attempt + 1} attempt(s). Check the base URL (Connect-Kallglot -BaseUri or KALLGLOT_BASE_URL) and the network.",
                    exception);
            }
            catch (HttpRequestException exception)
            {
                throw new KallglotException("connection_failed", KallglotErrorKind.Connection,
                    $"{display} failed while talking to {uri.GetLeftPart(UriPartial.Authority)} ({Describe(exception)}). The request may have reached the server; check before trying again.",
                    exception);
            }

            using (response)
            {
                string responseBody;
                try
                {
                    responseBody = await ReadBodyAsync(response, display, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new KallglotException("request_timeout", KallglotErrorKind.Timeout,
                        $"{display} answered {(int)response.StatusCode} but its body did not arrive within {_options.NetworkTimeout.TotalSeconds:0.#} s.");
                }
                stopwatch.Stop();
                var requestId = Header(response, "X-Request-Id") ?? Header(response, "Request-Id");
                var credits = CreditUsage.FromHeaders(name => Header(response, name));
                Log($"{display} -> {(int)response.StatusCode} {response.ReasonPhrase} in {stopwatch.ElapsedMilliseconds} ms" +
                    (credits is null ? string.Empty : $"; {credits}") +
                    (requestId is null ? string.Empty : $"; request id {requestId}"));

                if (response.IsSuccessStatusCode)
                {
                    return new KallglotResponse(response.StatusCode, responseBody, requestId, credits, stopwatch.Elapsed, CollectHeaders(response));
                }

                var retryAfter = RetryAfter(response);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && retryAfter is { } wait && attempt < _retry.MaxRetries)
                {
                    if (_retry.DelayAfterThrottle(attempt + 1, wait) is { } delay)
                    {
                        Log($"{display} was throttled; retry {attempt + 1} of {_retry.MaxRetries} in {delay.TotalSeconds:0.0} s (Retry-After {wait.TotalSeconds:0.#} s)");
                        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }
                throw ApiErrorReader.Read(response.StatusCode, responseBody, requestId, credits, retryAfter, apiKey);
            }
        }
    }

    /// <summary>The body as text, read only up to <see cref="KallglotClientOptions.MaxResponseBytes"/>: a server cannot make the client hold more.</summary>
    private async Task<string> ReadBodyAsync(HttpResponseMessage response, string display, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                throw ResponseTooLarge(response, display, declared, limit);
            }
            // A declared length within the limit is all HttpClient reads: the common case needs no counting.
            return Decode(response, await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var body = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > limit)
                {
                    throw ResponseTooLarge(response, display, null, limit);
                }
                body.Write(chunk, 0, read);
            }
            return Decode(response, body.GetBuffer().AsSpan(0, (int)body.Length));
        }
    }

    /// <summary>
    /// The body's text: by its byte order mark when it has one, else in the charset the server named, else UTF-8. Decoded here
    /// rather than by HttpContent, which throws for a charset name .NET does not know (such as "utf8", a common server habit): an
    /// unknown name is read as UTF-8, which the API speaks. The mark itself is never part of the text (JSON would refuse it).
    /// </summary>
    private static string Decode(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        foreach (var marked in MarkedEncodings)
        {
            var mark = marked.Preamble;
            if (body.StartsWith(mark))
            {
                return marked.GetString(body[mark.Length..]);
            }
        }
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
        var encoding = Encoding.UTF8;
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                // An unknown name: UTF-8, as above.
            }
        }
        return encoding.GetString(body);
    }

    private static KallglotException ResponseTooLarge(HttpResponseMessage response, string display, long? declared, int limit) =>
        new("response_too_large", KallglotErrorKind.Protocol,
            $"{display} answered HTTP {(int)response.StatusCode} with a body {(declared is { } size ? $"of {size} bytes" : "that kept coming")}, over the {limit}-byte limit; it was not read. The request reached the server and may have taken effect (a session may have been created and charged). Check that the base URL points at the Kallglot API.");

    private Uri BuildUri(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            throw new KallglotValidationException("invalid_path", "Path",
                $"'{Redactor.Redact(path, _options.ApiKey)}' is not an API path. Give a path relative to the API, such as /v1/sessions/sess_123.");
        }
        var baseText = _options.BaseUri.AbsoluteUri.TrimEnd('/');
        return new Uri(baseText + "/" + path.TrimStart('/'));
    }

    private void Log(string line) => _options.Log?.Invoke(Redactor.Redact(line, _options.ApiKey));

    private static bool NeverReachedServer(HttpRequestException exception) =>
        exception.InnerException is SocketException socket && socket.SocketErrorCode is
            SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or
            SocketError.NetworkUnreachable or SocketError.TryAgain or SocketError.NoData
        || exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError && exception.InnerException is SocketException;

    private static string Describe(HttpRequestException exception) =>
        exception.InnerException is SocketException socket ? socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.SocketErrorCode.ToString(),
        } : exception.HttpRequestError.ToString();

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return RetryPolicy.WaitOf(retryAfter);
        }
        if (Header(response, "retry-after-ms") is { } milliseconds &&
            double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            // Past what a TimeSpan holds (Infinity, say) is longer than any cap: never retried, never an overflow.
            return value < TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.FromMilliseconds(value) : TimeSpan.MaxValue;
        }
        return null;
    }

    private static IReadOnlyDictionary<string, string> CollectHeaders(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(", ", values);
        }
        return headers;
    }
}
