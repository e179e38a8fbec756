using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Products;

/// <summary>PUT (full replace) and PATCH (JSON merge patch) share this write path.</summary>
internal static class ReplaceProduct
{
    public static Task<IResult> Put(
        Guid id, ProductWriteRequest body, HttpRequest request, CatalogDbContext db, ProductReadCache cache, TimeProvider time, IOptions<JsonOptions> json, ChangeEventRecorder events,
        CatalogMetrics metrics, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var values = ProductRules.Validate(body, errors);
        return values is null
            ? Task.FromResult<IResult>(CatalogProblems.Validation(errors.ToDictionary()))
            : WriteAsync(id, _ => values, request, db, cache, time, json.Value.SerializerOptions, events, metrics, ct);
    }

    /// <summary>
    /// Loads the product, checks If-Match, computes the new values from the current ones, and
    /// saves with the row version as the concurrency token: a write that raced ours makes the
    /// UPDATE match no row, which is 412 when the client sent If-Match, and a retry otherwise.
    /// </summary>
    public static async Task<IResult> WriteAsync(
        Guid id, Func<Product, object> newValues, HttpRequest request, CatalogDbContext db, ProductReadCache cache, TimeProvider time,
        System.Text.Json.JsonSerializerOptions json, ChangeEventRecorder events, CatalogMetrics metrics, CancellationToken ct)
    {
        var ifMatch = ETags.ParseIfMatch(request);
        const int attempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var product = await db.Products.FirstOrDefaultAsync(p => p.Id == id, ct);
            if (product is null)
            {
                return CatalogProblems.NotFound("product", id);
            }

            if (!ifMatch.Matches(product.Version))
            {
                return CatalogProblems.PreconditionFailed();
            }

            // The merge patch computes its values from the stored product; a problem stops here.
            var outcome = newValues(product);
            if (outcome is not ProductValues values)
            {
                return (IResult)outcome;
            }

            if (values.Sku != product.Sku && await db.Products.AnyAsync(p => p.Sku == values.Sku && p.Id != id, ct))
            {
                return CatalogProblems.DuplicateSku(values.Sku);
            }

            if (values.CategoryId != product.CategoryId
                && await ProductWriteSupport.CheckCategoryAsync(db, values.CategoryId, "categoryId", ct) is { } missing)
            {
                return missing;
            }

            var before = ProductResponse.From(product);
            values.ApplyTo(product, ProductWriteSupport.Now(time));
            var after = ProductResponse.From(product);

            // One SaveChanges is one transaction: the UPDATE re-checks the version read above, so
            // the event is ordered after every earlier change of this product (see CatalogEventFeed).
            events.Record(db, e => e.ProductUpdated(before, after));

            try
            {
                await db.SaveChangesAsync(ct);
                cache.Invalidate(id);
                metrics.ProductUpdated();
                return ProductWriteSupport.Respond(StatusCodes.Status200OK, after, product.Version, json);
            }
            catch (DbUpdateConcurrencyException) when (ifMatch.Present)
            {
                return CatalogProblems.PreconditionFailed();
            }
            catch (DbUpdateConcurrencyException) when (attempt < attempts)
            {
                // Last writer wins without If-Match, but it must be applied to the latest row.
            }
            catch (DbUpdateConcurrencyException)
            {
                return CatalogProblems.Problem(StatusCodes.Status409Conflict, "concurrent-modification", "Concurrent modification",
                    "The product kept changing while this write was applied. Retry, ideally with If-Match.");
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.MapConstraintViolation(ex, values.Sku) is { } conflict)
            {
                return conflict;
            }
        }
    }
}
