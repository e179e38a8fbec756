using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Source-generated serializers for the hot read responses: the same JSON as the configured
/// <c>JsonOptions</c> write (camelCase, RFC 3339 UTC timestamps with milliseconds), without
/// reflection-built metadata or per-call converter lookups.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    Converters = [typeof(UtcTimestampJsonConverter)])]
[JsonSerializable(typeof(ProductResponse))]
[JsonSerializable(typeof(ProductPage))]
[JsonSerializable(typeof(CategoryResponse))]
[JsonSerializable(typeof(StockChangedData))]
[JsonSerializable(typeof(ProductDeletedData))]
[JsonSerializable(typeof(CategoryDeletedData))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
