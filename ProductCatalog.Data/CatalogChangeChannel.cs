namespace ProductCatalog.Data;

/// <summary>
/// The PostgreSQL notification channel on which the database itself announces every committed
/// change to a product or category (row triggers, migration <c>CatalogChangeNotifications</c>).
/// The payload is a JSON object:
/// <c>{"kind":"product","op":"update","id":"…","skus":["OLD","NEW"],"at":1764080000123456}</c>
/// or <c>{"kind":"category","op":"delete","id":7,"at":…}</c>; <c>skus</c> holds the row's SKU before
/// and after the change (one entry when it did not change), <c>at</c> the trigger's clock in
/// microseconds since the Unix epoch (just before the commit). Inserts into products are announced
/// per statement (a batch import's COPY is one), up to 40 rows a notification, as
/// <c>{"kind":"product","op":"insert","rows":[{"id":"…","skus":["SKU"]},…],"at":…}</c>.
/// </summary>
public static class CatalogChangeChannel
{
    public const string Name = "catalog_changes";
}
