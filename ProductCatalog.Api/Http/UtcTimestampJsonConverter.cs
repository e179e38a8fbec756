using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductCatalog.Api.Http;

/// <summary>Writes timestamps as RFC 3339 UTC with milliseconds (<c>2026-11-24T17:31:49.123Z</c>).</summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        // Formatted into a stack buffer: two timestamps per product, 40 per page, and no string for each.
        Span<byte> utf8 = stackalloc byte[32];
        if (!value.UtcDateTime.TryFormat(utf8, out var written, Format, CultureInfo.InvariantCulture))
        {
            throw new JsonException($"Timestamp {value:O} does not fit the response format.");
        }

        writer.WriteStringValue(utf8[..written]);
    }
}
