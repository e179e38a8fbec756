using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Encodes an outbox event as a CloudEvents 1.0 message in structured content mode (the JSON event
/// format), with the same attributes, in the same order and timestamp format, as the feed's items.
/// </summary>
/// <remarks>
/// Hand-written rather than the SDK's <c>CloudEvent</c> + <c>JsonEventFormatter</c>: those validate and
/// look up every attribute of every event, 12 % of the API's CPU during a batch import (perf, see
/// docs/performance.md), where these attributes are fixed and valid by construction. The tests decode
/// every published message with the SDK's formatter. Not thread-safe: a publishing relay owns one.
/// </remarks>
public sealed class CloudEventEncoder : IDisposable
{
    /// <summary>The structured mode's content type for the JSON format.</summary>
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly UtcTimestampJsonConverter _timestamps = new();
    private readonly Utf8JsonWriter _writer;

    public CloudEventEncoder() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    /// <summary>The message body, in this encoder's buffer: valid until the next call.</summary>
    public ReadOnlyMemory<byte> Encode(CatalogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        _buffer.ResetWrittenCount();
        _writer.Reset();
        _writer.WriteStartObject();
        _writer.WriteString("specversion"u8, "1.0"u8);
        _writer.WriteString("id"u8, e.Id);
        _writer.WriteString("source"u8, e.Source);
        _writer.WriteString("type"u8, e.Type);
        _writer.WriteString("subject"u8, e.Subject);
        _writer.WritePropertyName("time"u8);
        _timestamps.Write(_writer, e.Time, JsonSerializerOptions.Default);
        Span<byte> sequence = stackalloc byte[20];
        e.Position!.Value.TryFormat(sequence, out var written, provider: CultureInfo.InvariantCulture);
        _writer.WriteString("sequence"u8, sequence[..written]);
        _writer.WriteString("datacontenttype"u8, "application/json"u8);
        if (e.TraceParent is not null)
        {
            _writer.WriteString("traceparent"u8, e.TraceParent);
        }

        // JSON text the API serialized and PostgreSQL validated (json column) on insert: written as it is.
        _writer.WritePropertyName("data"u8);
        _writer.WriteRawValue(e.Data, skipInputValidation: true);
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenMemory;
    }

    public void Dispose() => _writer.Dispose();
}
