using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP (protobuf) receiver inside the test process: the fixture points every project's
/// OTLP exporter at it, it keeps what arrives for the tests to assert on, and it passes every
/// request on unchanged to the dashboard's own OTLP/HTTP endpoint, so the dashboard still shows
/// the run's traces, metrics and logs. It is an <see cref="HttpListener"/>, not Kestrel: a
/// framework reference to ASP.NET Core in the test project would change which assemblies the
/// test output holds, and the migration worker is run from there.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _forwardClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Lock _gate = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<ReceivedMetricPoint> _metrics = [];
    private readonly List<ReceivedLog> _logs = [];
    private readonly List<string> _errors = [];
    private Func<Uri?> _forwardTo = () => null;

    private OtlpReceiver(HttpListener listener, Uri endpoint)
    {
        _listener = listener;
        Endpoint = endpoint;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The base URL to put in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (protocol http/protobuf).</summary>
    public Uri Endpoint { get; }

    public static OtlpReceiver Start()
    {
        // HttpListener needs a concrete port: take a free one, retry if another process wins it.
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(endpoint.ToString());
            try
            {
                listener.Start();
                return new OtlpReceiver(listener, endpoint);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
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
        await _stopping.CancelAsync();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _forwardClient.Dispose();
        _stopping.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            var path = context.Request.Url?.AbsolutePath ?? "";
            Action<byte[]>? decode = path switch
            {
                "/v1/traces" => bytes => Add(_spans, OtlpDecoder.DecodeTraces(bytes)),
                "/v1/metrics" => bytes => Add(_metrics, OtlpDecoder.DecodeMetrics(bytes)),
                "/v1/logs" => bytes => Add(_logs, OtlpDecoder.DecodeLogs(bytes)),
                _ => null,
            };
            if (decode is null || context.Request.HttpMethod != "POST")
            {
                context.Response.StatusCode = (int)HttpStatusCode.NotFound;
                return;
            }

            await ReceiveAsync(context, path, decode);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The exporter went away mid-request (its process stopped).
        }
        finally
        {
            context.Response.Close();
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context, string path, Action<byte[]> decode)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body, _stopping.Token);
        var raw = body.ToArray();
        var payload = raw;
        if (string.Equals(context.Request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var inflated = new MemoryStream();
            await gzip.CopyToAsync(inflated, _stopping.Token);
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
        context.Response.StatusCode = (int)HttpStatusCode.OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task ForwardAsync(HttpListenerContext context, string path, byte[] raw)
    {
        if (_forwardTo() is not { } target)
        {
            return;
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, path)) { Content = new ByteArrayContent(raw) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType ?? "application/x-protobuf");
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                var value = context.Request.Headers[name];
                if (name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
                else if (name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await _forwardClient.SendAsync(request, _stopping.Token);
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
