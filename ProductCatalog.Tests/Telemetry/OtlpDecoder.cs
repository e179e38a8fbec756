using Google.Protobuf;

namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// Decodes OTLP/HTTP protobuf export requests (traces, metrics, logs) into flat records, with the
/// message types protoc generates from <c>Proto/otlp.proto</c>.
/// </summary>
internal static class OtlpDecoder
{
    public static List<ReceivedSpan> DecodeTraces(ReadOnlySpan<byte> request) =>
        [.. from resource in ExportTraceServiceRequest.Parser.ParseFrom(request).ResourceSpans
            let service = ServiceName(resource.Resource)
            from scope in resource.ScopeSpans
            from span in scope.Spans
            select new ReceivedSpan(
                service,
                scope.Scope?.Name ?? "",
                Hex(span.TraceId),
                Hex(span.SpanId),
                Hex(span.ParentSpanId),
                span.Name,
                (OtlpSpanKind)(int)span.Kind,
                Attributes(span.Attributes))];

    public static List<ReceivedMetricPoint> DecodeMetrics(ReadOnlySpan<byte> request) =>
        [.. from resource in ExportMetricsServiceRequest.Parser.ParseFrom(request).ResourceMetrics
            let service = ServiceName(resource.Resource)
            let instance = ResourceAttribute(resource.Resource, "service.instance.id")
            from scope in resource.ScopeMetrics
            from metric in scope.Metrics
            from point in Points(service, instance, scope.Scope?.Name ?? "", metric)
            select point];

    public static List<ReceivedLog> DecodeLogs(ReadOnlySpan<byte> request) =>
        [.. from resource in ExportLogsServiceRequest.Parser.ParseFrom(request).ResourceLogs
            let service = ServiceName(resource.Resource)
            from scope in resource.ScopeLogs
            from log in scope.LogRecords
            select new ReceivedLog(
                service,
                scope.Scope?.Name ?? "",
                log.SeverityNumber,
                log.Body is null ? null : Value(log.Body)?.ToString(),
                Hex(log.TraceId),
                Attributes(log.Attributes))];

    /// <summary>Sums and gauges give their value; a histogram its count (and sum).</summary>
    private static IEnumerable<ReceivedMetricPoint> Points(string service, string instance, string scope, Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(p => NumberPoint(service, instance, scope, metric.Name, p)),
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(p => NumberPoint(service, instance, scope, metric.Name, p)),
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Select(p => new ReceivedMetricPoint(
            service, instance, scope, metric.Name, p.TimeUnixNano, p.Count, p.HasSum ? p.Sum : null, Attributes(p.Attributes))),
        _ => [],
    };

    private static ReceivedMetricPoint NumberPoint(string service, string instance, string scope, string name, NumberDataPoint point) =>
        new(service, instance, scope, name, point.TimeUnixNano, point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble, null, Attributes(point.Attributes));

    private static string ServiceName(Otlp.Resource? resource) => ResourceAttribute(resource, "service.name");

    private static string ResourceAttribute(Otlp.Resource? resource, string key) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == key) is { } attribute ? Value(attribute.Value)?.ToString() ?? "" : "";

    private static Dictionary<string, object?> Attributes(IEnumerable<KeyValue> attributes)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = attribute.Value is null ? null : Value(attribute.Value);
        }

        return result;
    }

    private static object? Value(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.ArrayValue => value.ArrayValue.Values.Select(Value).ToArray(),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => null,
    };

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
