using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace ProductCatalog.Api.Events;

/// <summary>
/// The SDK's JSON event format, except that <c>data</c> held as JSON text (the outbox's
/// <c>json</c> column, which PostgreSQL validated on insert) is written as it is: the SDK would
/// need it parsed into a <see cref="JsonElement"/> first, only to serialize it again, for every
/// event the relay publishes.
/// </summary>
internal sealed class OutboxEventFormatter : JsonEventFormatter
{
    protected override void EncodeStructuredModeData(CloudEvent cloudEvent, Utf8JsonWriter writer)
    {
        if (cloudEvent.Data is string json)
        {
            writer.WritePropertyName(DataPropertyName);
            writer.WriteRawValue(json, skipInputValidation: true);
            return;
        }

        base.EncodeStructuredModeData(cloudEvent, writer);
    }
}
