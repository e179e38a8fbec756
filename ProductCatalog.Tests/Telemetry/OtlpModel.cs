namespace ProductCatalog.Tests.Telemetry;

/// <summary>OTLP span kinds (opentelemetry/proto/trace/v1/trace.proto).</summary>
public enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

public sealed record ReceivedSpan(
    string Service,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    OtlpSpanKind Kind,
    IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// One data point of a sum (counter) or histogram; for a histogram <see cref="Value"/> is the
/// count of recordings and <see cref="Sum"/> their sum. <see cref="Instance"/> (the resource's
/// <c>service.instance.id</c>) tells the replicas of one service apart: each exports its own series.
/// </summary>
public sealed record ReceivedMetricPoint(
    string Service,
    string Instance,
    string Scope,
    string Name,
    ulong TimeUnixNano,
    double Value,
    double? Sum,
    IReadOnlyDictionary<string, object?> Attributes);

public sealed record ReceivedLog(
    string Service,
    string Category,
    int SeverityNumber,
    string? Body,
    string TraceId,
    IReadOnlyDictionary<string, object?> Attributes);
