using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) receiver inside the test process: the fixture points every project's
/// OTLP exporter at it, it keeps what arrives for the tests to assert on, and it passes every
/// request on unchanged to the dashboard's own OTLP/HTTP endpoint, so the dashboard still shows
/// the run's traces, metrics and logs.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);

    private readonly WebApplication _app;
    private readonly HttpClient _forwardClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedMetricPoint> _metrics = [];
    private readonly List<ReceivedLog> _logs = [];
    private readonly List<string> _errors = [];
    private Func<Uri?> _forwardTo = () => null;

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base URL to put in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (protocol http/protobuf).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);

        app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, "/v1/traces", bytes => receiver.Add(receiver._spans, OtlpDecoder.DecodeTraces(bytes))));
        app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, "/v1/metrics", bytes => receiver.Add(receiver._metrics, OtlpDecoder.DecodeMetrics(bytes))));
        app.MapPost("/v1/logs", context => receiver.ReceiveAsync(context, "/v1/logs", bytes => receiver.Add(receiver._logs, OtlpDecoder.DecodeLogs(bytes))));

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>Where to pass requests on (the dashboard's OTLP/HTTP base URL), asked per request.</summary>
    public void ForwardTo(Func<Uri?> target) => _forwardTo = target;

    public IReadOnlyList<ReceivedSpan> Spans => Snapshot(_spans);

    public IReadOnlyList<ReceivedMetricPoint> MetricPoints => Snapshot(_metrics);

    public IReadOnlyList<ReceivedLog> Logs => Snapshot(_logs);

    /// <summary>Requests this receiver could not decode (a bug in the decoder, or a malformed export).</summary>
    public IReadOnlyList<string> Errors => Snapshot(_errors);

    /// <summary>Polls what was received until <paramref name="done"/> holds; fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<T>> WaitForAsync<T>(
        Func<OtlpReceiver, IReadOnlyList<T>> select, Func<IReadOnlyList<T>, bool> done, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(select);
        ArgumentNullException.ThrowIfNull(done);
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        while (true)
        {
            var items = select(this);
            if (done(items))
            {
                return items;
            }

            try
            {
                await Task.Delay(s_pollInterval, timeoutCts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return select(this);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forwardClient.Dispose();
    }

    private async Task ReceiveAsync(HttpContext context, string path, Action<byte[]> decode)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var raw = body.ToArray();
        var payload = raw;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            await gzip.CopyToAsync(inflated, context.RequestAborted);
            payload = inflated.ToArray();
        }

        try
        {
            decode(payload);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            Add(_errors, [$"{path}: {ex.GetType().Name}: {ex.Message}"]);
        }

        await ForwardAsync(context, path, raw);

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task ForwardAsync(HttpContext context, string path, byte[] raw)
    {
        if (_forwardTo() is not { } target)
        {
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, path)) { Content = new ByteArrayContent(raw) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType ?? "application/x-protobuf");
            foreach (var header in context.Request.Headers.Where(h => h.Key.StartsWith("x-", StringComparison.OrdinalIgnoreCase) || h.Key == "Content-Encoding"))
            {
                if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
                {
                    request.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
                }
            }

            using var response = await _forwardClient.SendAsync(request, context.RequestAborted);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The dashboard is a convenience here; the tests read what this receiver kept.
        }
    }

    private void Add<T>(List<T> into, List<T> items)
    {
        lock (_gate)
        {
            into.AddRange(items);
        }
    }

    private T[] Snapshot<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }
}
