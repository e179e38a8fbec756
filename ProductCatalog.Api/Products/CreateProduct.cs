using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

internal static class CreateProduct
{
    public const string IdempotencyScope = "POST /api/v1/products";

    public static async Task<Results<StoredCreated<ProductResponse>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>> Handle(
        ProductWriteRequest body, HttpRequest request, [AsParameters] ProductWriteServices services, CancellationToken ct)
    {
        var (key, keyError) = IdempotencyKeys.Read(request);
        if (keyError is not null)
        {
            return CatalogProblems.Validation(IdempotencyKeys.HeaderName, keyError);
        }

        var errors = new ValidationErrors();
        var values = ProductRules.Validate(body, errors);
        if (values is null)
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        var (db, options) = (services.Db, services.JsonOptions);
        var hash = key is null ? null : IdempotencyKeys.Hash(IdempotencyScope, body, options);
        return await TransactionalWrite.ExecuteAsync<ProductResponse>(db, key, hash, async token =>
        {
            if (await ProductWriteSupport.CheckCategoryAsync(db, values.CategoryId, "categoryId", token) is { } missing)
            {
                return missing;
            }

            if (await db.Products.AnyAsync(p => p.Sku == values.Sku, token))
            {
                return CatalogProblems.DuplicateSku(values.Sku);
            }

            var product = values.ToNewProduct(ProductWriteSupport.Now(services.Time));
            var created = ProductResponse.From(product);
            db.Products.Add(product);
            services.Events.Record(db, e => e.ProductCreated(created));

            try
            {
                await db.SaveChangesAsync(token);
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.IsDuplicateSku(ex))
            {
                return CatalogProblems.DuplicateSku(values.Sku);
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.IsMissingCategory(ex))
            {
                return ProductWriteSupport.CategoryVanished();
            }

            return new StoredCreated<ProductResponse>(ProductWriteSupport.Respond(StatusCodes.Status201Created, created, product.Version, options,
                location: $"/api/v1/products/{product.Id}"));
        }, () => services.Metrics.ProductCreated(), ct);
    }
}
