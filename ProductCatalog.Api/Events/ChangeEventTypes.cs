namespace ProductCatalog.Api.Events;

/// <summary>The contract's event types and sources ("Change events" in the API contract).</summary>
public static class ChangeEventTypes
{
    public const string ProductCreated = "catalog.product.created";
    public const string ProductUpdated = "catalog.product.updated";
    public const string ProductStockChanged = "catalog.product.stock-changed";
    public const string ProductDeleted = "catalog.product.deleted";
    public const string CategoryCreated = "catalog.category.created";
    public const string CategoryUpdated = "catalog.category.updated";
    public const string CategoryDeleted = "catalog.category.deleted";

    public const string ProductSource = "/api/v1/products";
    public const string CategorySource = "/api/v1/categories";

    public static readonly IReadOnlyList<string> All =
        [ProductCreated, ProductUpdated, ProductStockChanged, ProductDeleted, CategoryCreated, CategoryUpdated, CategoryDeleted];
}

/// <summary><c>data</c> of <c>catalog.product.stock-changed</c>.</summary>
public sealed record StockChangedData(Guid ProductId, int StockQuantity, int Delta, string? Reason);

/// <summary><c>data</c> of <c>catalog.product.deleted</c>.</summary>
public sealed record ProductDeletedData(Guid Id, string Sku);

/// <summary><c>data</c> of <c>catalog.category.deleted</c>.</summary>
public sealed record CategoryDeletedData(int Id);
