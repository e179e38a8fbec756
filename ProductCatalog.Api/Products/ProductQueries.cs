using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

/// <summary>Read-side projections: only the columns a response needs (never the search vector).</summary>
internal static class ProductQueries
{
    public static readonly Expression<Func<Product, VersionedProduct>> ToVersioned = p => new VersionedProduct(
        new ProductResponse(p.Id, p.Sku, p.Name, p.Description, p.Price, p.Currency, p.CategoryId,
            p.Tags, p.StockQuantity, p.IsActive, p.CreatedAt, p.UpdatedAt),
        p.Version);

    public static readonly Expression<Func<Product, ProductResponse>> ToResponse = p =>
        new ProductResponse(p.Id, p.Sku, p.Name, p.Description, p.Price, p.Currency, p.CategoryId,
            p.Tags, p.StockQuantity, p.IsActive, p.CreatedAt, p.UpdatedAt);

    /// <summary>
    /// Compiled once: a request skips EF Core's query-cache lookup (hashing the expression tree)
    /// and parameter extraction, which cost more than the rest of a primary-key read.
    /// </summary>
    public static readonly Func<CatalogDbContext, Guid, CancellationToken, Task<VersionedProduct?>> ById =
        EF.CompileAsyncQuery((CatalogDbContext db, Guid id, CancellationToken ct) => db.Products.AsNoTracking()
            .Where(p => p.Id == id)
            .Select(ToVersioned)
            .FirstOrDefault());

    /// <summary>By the stored (upper-cased) SKU; compiled for the same reason as <see cref="ById"/>.</summary>
    public static readonly Func<CatalogDbContext, string, CancellationToken, Task<VersionedProduct?>> BySku =
        EF.CompileAsyncQuery((CatalogDbContext db, string sku, CancellationToken ct) => db.Products.AsNoTracking()
            .Where(p => p.Sku == sku)
            .Select(ToVersioned)
            .FirstOrDefault());

    /// <summary>The default listing's first page (<c>ORDER BY name, id</c>), compiled; see ListProducts.</summary>
    public static readonly Func<CatalogDbContext, int, IAsyncEnumerable<ProductResponse>> FirstPageByName =
        EF.CompileAsyncQuery((CatalogDbContext db, int take) => db.Products.AsNoTracking()
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Take(take)
            .Select(ToResponse));

    /// <summary>The default listing after a cursor: the same keyset seek as ListProducts builds.</summary>
    public static readonly Func<CatalogDbContext, string, Guid, int, IAsyncEnumerable<ProductResponse>> PageByNameAfter =
        EF.CompileAsyncQuery((CatalogDbContext db, string lastName, Guid lastId, int take) => db.Products.AsNoTracking()
            .Where(p => EF.Functions.GreaterThan(ValueTuple.Create(p.Name, p.Id), ValueTuple.Create(lastName, lastId)))
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Take(take)
            .Select(ToResponse));
}

internal sealed record VersionedProduct(ProductResponse Product, uint Version);
