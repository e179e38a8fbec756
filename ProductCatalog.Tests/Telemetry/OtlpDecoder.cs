namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// Decodes OTLP/HTTP protobuf export requests (traces, metrics, logs) into flat records.
/// Field numbers are those of opentelemetry-proto v1 (collector/*/v1/*_service.proto).
/// </summary>
internal static class OtlpDecoder
{
    public static List<ReceivedSpan> DecodeTraces(ReadOnlySpan<byte> request)
    {
        var spans = new List<ReceivedSpan>();
        var reader = new ProtobufReader(request);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                DecodeResourceSpans(reader.ReadBytes(), spans);
            }
            else
            {
                reader.Skip();
            }
        }

        return spans;
    }

    public static List<ReceivedMetricPoint> DecodeMetrics(ReadOnlySpan<byte> request)
    {
        var points = new List<ReceivedMetricPoint>();
        var reader = new ProtobufReader(request);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                DecodeResourceMetrics(reader.ReadBytes(), points);
            }
            else
            {
                reader.Skip();
            }
        }

        return points;
    }

    public static List<ReceivedLog> DecodeLogs(ReadOnlySpan<byte> request)
    {
        var logs = new List<ReceivedLog>();
        var reader = new ProtobufReader(request);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                DecodeResourceLogs(reader.ReadBytes(), logs);
            }
            else
            {
                reader.Skip();
            }
        }

        return logs;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static void DecodeResourceSpans(ReadOnlySpan<byte> message, List<ReceivedSpan> spans)
    {
        var service = ServiceName(message);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            if (reader.FieldNumber == 2 && reader.WireType == 2)
            {
                // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
                var scopeSpans = reader.ReadBytes();
                var scope = ScopeName(scopeSpans);
                var inner = new ProtobufReader(scopeSpans);
                while (inner.Next())
                {
                    if (inner.FieldNumber == 2 && inner.WireType == 2)
                    {
                        spans.Add(DecodeSpan(inner.ReadBytes(), service, scope));
                    }
                    else
                    {
                        inner.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
    //        SpanKind kind = 6; repeated KeyValue attributes = 9; }
    private static ReceivedSpan DecodeSpan(ReadOnlySpan<byte> message, string service, string scope)
    {
        string traceId = "", spanId = "", parentSpanId = "", name = "";
        var kind = OtlpSpanKind.Unspecified;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (1, 2): traceId = Convert.ToHexStringLower(reader.ReadBytes()); break;
                case (2, 2): spanId = Convert.ToHexStringLower(reader.ReadBytes()); break;
                case (4, 2): parentSpanId = Convert.ToHexStringLower(reader.ReadBytes()); break;
                case (5, 2): name = reader.ReadString(); break;
                case (6, 0): kind = (OtlpSpanKind)(int)reader.ReadVarint(); break;
                case (9, 2): AddKeyValue(reader.ReadBytes(), attributes); break;
                default: reader.Skip(); break;
            }
        }

        return new ReceivedSpan(service, scope, traceId, spanId, parentSpanId, name, kind, attributes);
    }

    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
    // ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
    private static void DecodeResourceMetrics(ReadOnlySpan<byte> message, List<ReceivedMetricPoint> points)
    {
        var service = ServiceName(message);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            if (reader.FieldNumber == 2 && reader.WireType == 2)
            {
                var scopeMetrics = reader.ReadBytes();
                var scope = ScopeName(scopeMetrics);
                var inner = new ProtobufReader(scopeMetrics);
                while (inner.Next())
                {
                    if (inner.FieldNumber == 2 && inner.WireType == 2)
                    {
                        DecodeMetric(inner.ReadBytes(), service, scope, points);
                    }
                    else
                    {
                        inner.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
    // Gauge / Sum / Histogram { repeated ...DataPoint data_points = 1; }
    private static void DecodeMetric(ReadOnlySpan<byte> message, string service, string scope, List<ReceivedMetricPoint> points)
    {
        var name = "";
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                name = reader.ReadString();
            }
            else if (reader.FieldNumber is 5 or 7 or 9 && reader.WireType == 2)
            {
                var isHistogram = reader.FieldNumber == 9;
                var data = new ProtobufReader(reader.ReadBytes());
                while (data.Next())
                {
                    if (data.FieldNumber == 1 && data.WireType == 2)
                    {
                        points.Add(isHistogram
                            ? DecodeHistogramPoint(data.ReadBytes(), service, scope, name)
                            : DecodeNumberPoint(data.ReadBytes(), service, scope, name));
                    }
                    else
                    {
                        data.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // NumberDataPoint { fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6;
    //                   repeated KeyValue attributes = 7; }
    private static ReceivedMetricPoint DecodeNumberPoint(ReadOnlySpan<byte> message, string service, string scope, string name)
    {
        ulong time = 0;
        double value = 0;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (3, 1): time = reader.ReadFixed64(); break;
                case (4, 1): value = reader.ReadDouble(); break;
                case (6, 1): value = (long)reader.ReadFixed64(); break;
                case (7, 2): AddKeyValue(reader.ReadBytes(), attributes); break;
                default: reader.Skip(); break;
            }
        }

        return new ReceivedMetricPoint(service, scope, name, time, value, null, attributes);
    }

    // HistogramDataPoint { fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5;
    //                      repeated KeyValue attributes = 9; }
    private static ReceivedMetricPoint DecodeHistogramPoint(ReadOnlySpan<byte> message, string service, string scope, string name)
    {
        ulong time = 0, count = 0;
        double? sum = null;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (3, 1): time = reader.ReadFixed64(); break;
                case (4, 1): count = reader.ReadFixed64(); break;
                case (5, 1): sum = reader.ReadDouble(); break;
                case (9, 2): AddKeyValue(reader.ReadBytes(), attributes); break;
                default: reader.Skip(); break;
            }
        }

        return new ReceivedMetricPoint(service, scope, name, time, count, sum, attributes);
    }

    // ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
    // ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
    private static void DecodeResourceLogs(ReadOnlySpan<byte> message, List<ReceivedLog> logs)
    {
        var service = ServiceName(message);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            if (reader.FieldNumber == 2 && reader.WireType == 2)
            {
                var scopeLogs = reader.ReadBytes();
                var scope = ScopeName(scopeLogs);
                var inner = new ProtobufReader(scopeLogs);
                while (inner.Next())
                {
                    if (inner.FieldNumber == 2 && inner.WireType == 2)
                    {
                        logs.Add(DecodeLogRecord(inner.ReadBytes(), service, scope));
                    }
                    else
                    {
                        inner.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // LogRecord { SeverityNumber severity_number = 2; AnyValue body = 5; repeated KeyValue attributes = 6;
    //             bytes trace_id = 9; }
    private static ReceivedLog DecodeLogRecord(ReadOnlySpan<byte> message, string service, string scope)
    {
        var severity = 0;
        string? body = null;
        var traceId = "";
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (2, 0): severity = (int)reader.ReadVarint(); break;
                case (5, 2): body = DecodeAnyValue(reader.ReadBytes())?.ToString(); break;
                case (6, 2): AddKeyValue(reader.ReadBytes(), attributes); break;
                case (9, 2): traceId = Convert.ToHexStringLower(reader.ReadBytes()); break;
                default: reader.Skip(); break;
            }
        }

        return new ReceivedLog(service, scope, severity, body, traceId, attributes);
    }

    // Resource { repeated KeyValue attributes = 1; } inside field 1 of every Resource* message.
    private static string ServiceName(ReadOnlySpan<byte> resourceContainer)
    {
        var reader = new ProtobufReader(resourceContainer);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                var resource = new ProtobufReader(reader.ReadBytes());
                while (resource.Next())
                {
                    if (resource.FieldNumber == 1 && resource.WireType == 2)
                    {
                        AddKeyValue(resource.ReadBytes(), attributes);
                    }
                    else
                    {
                        resource.Skip();
                    }
                }

                return attributes.TryGetValue("service.name", out var name) ? name?.ToString() ?? "" : "";
            }

            reader.Skip();
        }

        return "";
    }

    // InstrumentationScope { string name = 1; } inside field 1 of Scope* messages.
    private static string ScopeName(ReadOnlySpan<byte> scopeContainer)
    {
        var reader = new ProtobufReader(scopeContainer);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                var scope = new ProtobufReader(reader.ReadBytes());
                while (scope.Next())
                {
                    if (scope.FieldNumber == 1 && scope.WireType == 2)
                    {
                        return scope.ReadString();
                    }

                    scope.Skip();
                }

                return "";
            }

            reader.Skip();
        }

        return "";
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    private static void AddKeyValue(ReadOnlySpan<byte> message, Dictionary<string, object?> into)
    {
        string key = "";
        object? value = null;
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (1, 2): key = reader.ReadString(); break;
                case (2, 2): value = DecodeAnyValue(reader.ReadBytes()); break;
                default: reader.Skip(); break;
            }
        }

        into[key] = value;
    }

    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    //            ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
    private static object? DecodeAnyValue(ReadOnlySpan<byte> message)
    {
        object? value = null;
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            switch (reader.FieldNumber, reader.WireType)
            {
                case (1, 2): value = reader.ReadString(); break;
                case (2, 0): value = reader.ReadVarint() != 0; break;
                case (3, 0): value = (long)reader.ReadVarint(); break;
                case (4, 1): value = reader.ReadDouble(); break;
                case (5, 2): value = DecodeArray(reader.ReadBytes()); break;
                case (7, 2): value = Convert.ToBase64String(reader.ReadBytes()); break;
                default: reader.Skip(); break;
            }
        }

        return value;
    }

    // ArrayValue { repeated AnyValue values = 1; }
    private static object?[] DecodeArray(ReadOnlySpan<byte> message)
    {
        var values = new List<object?>();
        var reader = new ProtobufReader(message);
        while (reader.Next())
        {
            if (reader.FieldNumber == 1 && reader.WireType == 2)
            {
                values.Add(DecodeAnyValue(reader.ReadBytes()));
            }
            else
            {
                reader.Skip();
            }
        }

        return [.. values];
    }
}
