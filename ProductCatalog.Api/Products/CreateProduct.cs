using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Products;

internal static class CreateProduct
{
    public const string IdempotencyScope = "POST /api/v1/products";

    public static async Task<IResult> Handle(
        ProductWriteRequest body, HttpRequest request, CatalogDbContext db, TimeProvider time, IOptions<JsonOptions> json, ChangeEventRecorder events, CatalogMetrics metrics, CancellationToken ct)
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

        var options = json.Value.SerializerOptions;
        var hash = key is null ? null : IdempotencyKeys.Hash(IdempotencyScope, body, options);
        return await TransactionalWrite.ExecuteAsync(db, key, hash, async token =>
        {
            if (await ProductWriteSupport.CheckCategoryAsync(db, values.CategoryId, "categoryId", token) is { } missing)
            {
                return missing;
            }

            if (await db.Products.AnyAsync(p => p.Sku == values.Sku, token))
            {
                return CatalogProblems.DuplicateSku(values.Sku);
            }

            var product = values.ToNewProduct(ProductWriteSupport.Now(time));
            var created = ProductResponse.From(product);
            db.Products.Add(product);
            events.Record(db, e => e.ProductCreated(created));

            try
            {
                await db.SaveChangesAsync(token);
            }
            catch (DbUpdateException ex) when (ProductWriteSupport.MapConstraintViolation(ex, values.Sku) is { } conflict)
            {
                return conflict;
            }

            return ProductWriteSupport.Respond(StatusCodes.Status201Created, created, product.Version, options,
                location: $"/api/v1/products/{product.Id}");
        }, () => metrics.ProductCreated(), ct);
    }
}
