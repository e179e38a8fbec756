namespace ProductCatalog.Data;

/// <summary>
/// The tables' names, written once: the EF Core model maps to them, and the raw SQL (the outbox's
/// reads and bookkeeping, the idempotency claim, the hand-written product reads) and the tests
/// name them through these constants.
/// </summary>
public static class CatalogTables
{
    public const string Products = "products";
    public const string Categories = "categories";
    public const string EventGroups = "catalog_event_groups";
    public const string EventFeed = "catalog_event_feed";
    public const string IdempotencyKeys = "idempotency_keys";
}
