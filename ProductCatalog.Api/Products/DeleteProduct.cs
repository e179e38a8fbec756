using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

internal static class DeleteProduct
{
    public static async Task<Results<NoContent, NotFoundProblem, PreconditionFailedProblem>> Handle(
        Guid id, HttpRequest request, [AsParameters] ProductWriteServices services, CancellationToken ct)
    {
        var db = services.Db;
        var ifMatch = ETags.ParseIfMatch(request);
        var result = await TransactionalWrite.ExecuteAsync<Results<NoContent, NotFoundProblem, PreconditionFailedProblem>>(db, async token =>
        {
            // Locked first: the version check and the delete see the same row, and the event (which
            // names the SKU the product had) is recorded under that lock, after its earlier events.
            var current = await db.Database
                .SqlQuery<LockedProduct>($"SELECT sku AS \"Sku\", xmin::text::bigint AS \"Version\" FROM products WHERE id = {id} FOR UPDATE")
                .FirstOrDefaultAsync(token);
            if (current is null)
            {
                return CatalogProblems.NotFound("product", id);
            }

            if (!ifMatch.Matches((uint)current.Version))
            {
                return CatalogProblems.PreconditionFailed();
            }

            await db.Products.Where(p => p.Id == id).ExecuteDeleteAsync(token);
            services.Events.Record(db, e => e.ProductDeleted(id, current.Sku));

            await db.SaveChangesAsync(token);
            return TypedResults.NoContent();
        }, services.Metrics.ProductDeleted, ct);

        // After the commit, for the same reason as in AdjustStock.
        services.Cache.Invalidate(id);
        return result;
    }

    private sealed record LockedProduct(string Sku, long Version);
}
