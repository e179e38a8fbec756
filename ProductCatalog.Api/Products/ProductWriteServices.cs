using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Products;

/// <summary>
/// What every product write takes from the container, bound as one <c>[AsParameters]</c> argument
/// (as eShop's <c>CatalogServices</c>), so a handler's signature lists what the request carries.
/// </summary>
internal sealed record ProductWriteServices(
    CatalogDbContext Db, ProductReadCache Cache, TimeProvider Time, IOptions<JsonOptions> Json, ChangeEventRecorder Events, CatalogMetrics Metrics)
{
    public JsonSerializerOptions JsonOptions => Json.Value.SerializerOptions;
}
