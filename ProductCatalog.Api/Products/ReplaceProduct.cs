using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

/// <summary>
/// PUT (full replace) and PATCH (JSON merge patch) share this write path and its answers. Only PATCH
/// answers 415 itself; for PUT the framework does, when the body is not JSON.
/// </summary>
internal static class ReplaceProduct
{
    public static Task<Results<StoredOk<ProductResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, PreconditionFailedProblem, UnsupportedMediaTypeProblem>> Put(
        Guid id, ProductWriteRequest body, HttpRequest request, [AsParameters] ProductWriteServices services, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var values = ProductRules.Validate(body, errors);
        return values is null
            ? Task.FromResult<Results<StoredOk<ProductResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, PreconditionFailedProblem, UnsupportedMediaTypeProblem>>(
                CatalogProblems.Validation(errors.ToDictionary()))
            : WriteAsync(id, _ => values, request, services, ct);
    }

    /// <summary>
    /// Loads the product, checks If-Match, computes the new values from the current ones, and
    /// saves with the row version as the concurrency token: a write that raced ours makes the
    /// UPDATE match no row, which is 412 when the client sent If-Match, and a retry otherwise.
    /// </summary>
    public static async Task<Results<StoredOk<ProductResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, PreconditionFailedProblem, UnsupportedMediaTypeProblem>> WriteAsync(
        Guid id, Func<Product, Replacement> newValues, HttpRequest request, ProductWriteServices services, CancellationToken ct)
    {
        var db = services.Db;
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
            var replacement = newValues(product);
            if (replacement.Values is not { } values)
            {
                return replacement.Problem!;
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
            values.ApplyTo(product, ProductWriteSupport.Now(services.Time));
            var after = ProductResponse.From(product);

            // One SaveChanges is one transaction: the UPDATE re-checks the version read above, so
            // the event is ordered after every earlier change of this product (see CatalogEventFeed).
            services.Events.Record(db, e => e.ProductUpdated(before, after));

            try
            {
                await TransactionalWrite.SaveConfirmedAsync(db, ct);
                services.Cache.Invalidate(id);
                services.Metrics.ProductUpdated();
                return new StoredOk<ProductResponse>(ProductWriteSupport.Respond(StatusCodes.Status200OK, after, product.Version, services.JsonOptions));
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
                return CatalogProblems.Conflict("concurrent-modification", "Concurrent modification",
                    "The product kept changing while this write was applied. Retry, ideally with If-Match.");
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.IsDuplicateSku(ex))
            {
                return CatalogProblems.DuplicateSku(values.Sku);
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.IsMissingCategory(ex))
            {
                return ProductWriteSupport.CategoryVanished();
            }
        }
    }
}

/// <summary>What a replace computes from the stored product: the values to store, or the problem that stops it.</summary>
internal readonly record struct Replacement(ProductValues? Values, ValidationProblem? Problem)
{
    public static implicit operator Replacement(ProductValues values) => new(values, null);

    public static implicit operator Replacement(ValidationProblem problem) => new(null, problem);
}
