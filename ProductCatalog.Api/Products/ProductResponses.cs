using System.Text.Json.Serialization;

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

/// <summary>Counts of the products a listing's filters match, for a filter sidebar.</summary>
/// <param name="Total">How many products match.</param>
/// <param name="Categories">Matching products per category, most first (products without a category are in no bucket).</param>
/// <param name="Tags">Matching products per tag, most first.</param>
/// <param name="Price">The lowest and highest price among the matches.</param>
/// <param name="InStock">Matching products with stock (<c>true</c>) and without (<c>false</c>).</param>
/// <param name="Approximate">True when more than the exact bound matched: then every count and the price range are estimates.</param>
public sealed record ProductFacets(
    long Total,
    IReadOnlyList<CategoryFacet> Categories,
    IReadOnlyList<TagFacet> Tags,
    PriceRange Price,
    StockFacet InStock,
    bool Approximate);

public sealed record CategoryFacet(int Id, string Name, long Count);

public sealed record TagFacet(string Tag, long Count);

/// <summary>Null bounds when nothing matched.</summary>
public sealed record PriceRange(decimal? Min, decimal? Max);

public sealed record StockFacet(
    [property: JsonPropertyName("true")] long InStock,
    [property: JsonPropertyName("false")] long OutOfStock);
