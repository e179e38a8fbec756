using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ProductCatalog.Api.Data;

namespace ProductCatalog.Api.Products;

public static class ProductEndpoints
{
    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/v1/products").WithTags("Products");

        products.MapGet("/", ListProducts).WithName("ListProducts");
        products.MapGet("/{id:guid}", GetProductById).WithName("GetProductById");

        return app;
    }

    private static async Task<Ok<ProductPage>> ListProducts(CatalogDbContext db, CancellationToken ct)
    {
        var items = await db.Products.AsNoTracking()
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Take(20)
            .Select(p => ProductResponse.From(p))
            .ToListAsync(ct);
        return TypedResults.Ok(new ProductPage(items, null));
    }

    private static async Task<Results<Ok<ProductResponse>, NotFound>> GetProductById(Guid id, CatalogDbContext db, CancellationToken ct)
    {
        var product = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        return product is null ? TypedResults.NotFound() : TypedResults.Ok(ProductResponse.From(product));
    }
}

public sealed record ProductPage(IReadOnlyList<ProductResponse> Items, string? NextCursor);
