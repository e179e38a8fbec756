using System.Linq.Expressions;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The filtered listings' projection on EF Core: only the columns a response needs (never the search
/// vector). The key lookups and the default listing read the same columns through <see cref="ProductReader"/>.
/// </summary>
internal static class ProductQueries
{
    public static readonly Expression<Func<Product, ProductResponse>> ToResponse = p =>
        new ProductResponse(p.Id, p.Sku, p.Name, p.Description, p.Price, p.Currency, p.CategoryId,
            p.Tags, p.StockQuantity, p.IsActive, p.CreatedAt, p.UpdatedAt);
}

internal sealed record VersionedProduct(ProductResponse Product, uint Version);
