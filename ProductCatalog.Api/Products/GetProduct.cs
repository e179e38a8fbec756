using Microsoft.AspNetCore.Http.HttpResults;

namespace ProductCatalog.Api.Products;

internal static class GetProduct
{
    public static async Task<Results<JsonBytes<ProductResponse>, NotModified, NotFoundProblem>> ById(
        Guid id, HttpRequest request, ProductReader reader, ProductReadCache cache, CancellationToken ct)
    {
        if (cache.FindById(id) is { } hit)
        {
            return Respond(hit, request);
        }

        var generation = cache.Generation;
        var found = await reader.FindByIdAsync(id, ct);
        return found is null ? CatalogProblems.NotFound("product", id) : Respond(cache.Store(generation, found), request);
    }

    public static async Task<Results<JsonBytes<ProductResponse>, NotModified, NotFoundProblem>> BySku(
        string sku, HttpRequest request, ProductReader reader, ProductReadCache cache, CancellationToken ct)
    {
        // A string that cannot be a SKU cannot name a product either.
        if (!ProductRules.IsValidSku(sku))
        {
            return CatalogProblems.ProductSkuNotFound(sku.Length > 64 ? sku[..64] + "..." : sku);
        }

        var upper = sku.ToUpperInvariant();
        if (cache.FindBySku(upper) is { } hit)
        {
            return Respond(hit, request);
        }

        var generation = cache.Generation;
        var found = await reader.FindBySkuAsync(upper, ct);
        return found is null ? CatalogProblems.ProductSkuNotFound(sku) : Respond(cache.Store(generation, found), request);
    }

    private static Results<JsonBytes<ProductResponse>, NotModified, NotFoundProblem> Respond(CachedProduct found, HttpRequest request)
    {
        request.HttpContext.Response.Headers.ETag = found.ETag;
        return ETags.IfNoneMatchMatches(request, found.Version) ? NotModified.Instance : new JsonBytes<ProductResponse>(found.Json);
    }
}
