using Microsoft.EntityFrameworkCore;
using ProductCatalog.Api.Caching;
using ProductCatalog.Api.Http;
using ProductCatalog.Data;

namespace ProductCatalog.Api.Products;

internal static class DeleteProduct
{
    public static async Task<IResult> Handle(Guid id, HttpRequest request, CatalogDbContext db, ProductReadCache cache, CancellationToken ct)
    {
        var ifMatch = ETags.ParseIfMatch(request);
        var deleted = ifMatch.Present && !ifMatch.IsAny
            // The version check is part of the DELETE itself, so a concurrent write cannot slip in between.
            ? await db.Products.Where(p => p.Id == id && ifMatch.Versions.Contains(p.Version)).ExecuteDeleteAsync(ct)
            : await db.Products.Where(p => p.Id == id).ExecuteDeleteAsync(ct);
        cache.Invalidate(id);
        if (deleted == 1)
        {
            return TypedResults.NoContent();
        }

        return await db.Products.AnyAsync(p => p.Id == id, ct)
            ? CatalogProblems.PreconditionFailed()
            : CatalogProblems.NotFound("product", id);
    }
}
