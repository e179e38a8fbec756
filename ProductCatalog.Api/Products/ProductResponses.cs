namespace ProductCatalog.Api.Products;

public sealed record ProductResponse(
    Guid Id,
    string Sku,
    string Name,
    string? Description,
    decimal Price,
    string Currency,
    int? CategoryId,
    IReadOnlyList<string> Tags,
    int StockQuantity,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ProductResponse From(Product p) => new(
        p.Id, p.Sku, p.Name, p.Description, p.Price, p.Currency, p.CategoryId,
        p.Tags, p.StockQuantity, p.IsActive, p.CreatedAt, p.UpdatedAt);
}

/// <summary>A page of products; <c>nextCursor</c> is null on the last page.</summary>
public sealed record ProductPage(IReadOnlyList<ProductResponse> Items, string? NextCursor);

public sealed record StockLevelResponse(Guid ProductId, int StockQuantity);

public sealed record BatchCreateResponse(IReadOnlyList<Guid> Ids);
