namespace ProductCatalog.Api.Products;

/// <summary>
/// The writable fields of a product, as sent to POST (create) and PUT (full replace). Every
/// property is nullable so that a missing required field is reported by <see cref="ProductRules"/>
/// with its name, rather than as an opaque deserialization error.
/// </summary>
public sealed record ProductWriteRequest
{
    /// <example>TENT-2P-GRN</example>
    public string? Sku { get; init; }

    /// <example>Two-person trekking tent</example>
    public string? Name { get; init; }

    public string? Description { get; init; }

    /// <example>249.99</example>
    public decimal? Price { get; init; }

    /// <example>USD</example>
    public string? Currency { get; init; }

    public int? CategoryId { get; init; }

    public IReadOnlyList<string?>? Tags { get; init; }

    public int? StockQuantity { get; init; }

    public bool? IsActive { get; init; }
}

public sealed record BatchCreateRequest
{
    public IReadOnlyList<ProductWriteRequest?>? Items { get; init; }
}

public sealed record StockAdjustmentRequest
{
    /// <example>-2</example>
    public int? Delta { get; init; }

    /// <example>order 1042 shipped</example>
    public string? Reason { get; init; }
}
