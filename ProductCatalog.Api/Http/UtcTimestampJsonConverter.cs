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

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
