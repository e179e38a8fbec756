namespace ProductCatalog.Api.Products;

/// <summary>A product's writable fields after validation and normalization.</summary>
public sealed record ProductValues(
    string Sku,
    string Name,
    string? Description,
    decimal Price,
    string Currency,
    int? CategoryId,
    IReadOnlyList<string> Tags,
    int StockQuantity,
    bool IsActive)
{
    public void ApplyTo(Product product, DateTimeOffset now)
    {
        product.Sku = Sku;
        product.Name = Name;
        product.Description = Description;
        product.Price = Price;
        product.Currency = Currency;
        product.CategoryId = CategoryId;
        product.Tags = [.. Tags];
        product.StockQuantity = StockQuantity;
        product.IsActive = IsActive;
        product.UpdatedAt = now;
    }

    public Product ToNewProduct(DateTimeOffset now)
    {
        var product = new Product { Id = Guid.CreateVersion7(now), Sku = Sku, Name = Name, Currency = Currency, CreatedAt = now };
        ApplyTo(product, now);
        return product;
    }

    /// <summary>The request that would write exactly these values (the base for a merge patch).</summary>
    public static ProductWriteRequest ToRequest(Product p) => new()
    {
        Sku = p.Sku,
        Name = p.Name,
        Description = p.Description,
        Price = p.Price,
        Currency = p.Currency,
        CategoryId = p.CategoryId,
        Tags = p.Tags,
        StockQuantity = p.StockQuantity,
        IsActive = p.IsActive,
    };
}
