using System.Linq.Expressions;
using ProductCatalog.Api.Data;

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
}

internal sealed record VersionedProduct(ProductResponse Product, uint Version);
