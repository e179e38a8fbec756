using ProductCatalog.Api.Data;
using ProductCatalog.Api.Http;

namespace ProductCatalog.Api.Products;

internal static class GetProduct
{
    public static async Task<IResult> ById(Guid id, HttpRequest request, CatalogDbContext db, CancellationToken ct)
    {
        var found = await ProductQueries.ById(db, id, ct);
        return found is null ? CatalogProblems.NotFound("product", id) : Respond(found, request);
    }

    public static async Task<IResult> BySku(string sku, HttpRequest request, CatalogDbContext db, CancellationToken ct)
    {
        // A string that cannot be a SKU cannot name a product either.
        if (!ProductRules.IsValidSku(sku))
        {
            return CatalogProblems.ProductSkuNotFound(sku.Length > 64 ? sku[..64] + "..." : sku);
        }

        var upper = sku.ToUpperInvariant();
        var found = await ProductQueries.BySku(db, upper, ct);
        return found is null ? CatalogProblems.ProductSkuNotFound(sku) : Respond(found, request);
    }

    private static IResult Respond(VersionedProduct found, HttpRequest request)
    {
        var etag = ETags.For(found.Version);
        request.HttpContext.Response.Headers.ETag = etag;
        return ETags.IfNoneMatchMatches(request, found.Version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Json(found.Product, CatalogJsonContext.Default.ProductResponse);
    }
}
