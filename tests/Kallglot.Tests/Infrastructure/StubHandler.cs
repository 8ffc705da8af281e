using System.Net;

namespace Kallglot.Tests.Infrastructure;

/// <summary>An HTTP handler that answers from a script and records what it was sent, for retry rules no emulator would ever exercise on purpose.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new();

    public List<(HttpMethod Method, Uri Uri, string? Authorization)> Requests { get; } = new();

    public StubHandler Then(HttpStatusCode status, string body = "", Action<HttpResponseMessage>? configure = null)
    {
        _answers.Enqueue(_ =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    public StubHandler ThenThrow(Exception exception)
    {
        _answers.Enqueue(_ => throw exception);
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add((request.Method, request.RequestUri!, request.Headers.Authorization?.ToString()));
        if (_answers.Count == 0)
        {
            throw new InvalidOperationException($"The stub has no answer left for request {Requests.Count}.");
        }
        return Task.FromResult(_answers.Dequeue()(request));
    }
}
