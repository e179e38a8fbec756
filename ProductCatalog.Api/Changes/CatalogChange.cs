using System.Text.Json;

namespace ProductCatalog.Api.Changes;

/// <summary>One committed change to a product or category, as the database announced it.</summary>
/// <param name="Kind"><see cref="ProductKind"/> or <see cref="CategoryKind"/>.</param>
/// <param name="Operation">insert, update or delete.</param>
/// <param name="Id">The row's key as text (a GUID for a product, a number for a category).</param>
/// <param name="Skus">A product's SKU before and after the change (one entry if it did not change).</param>
/// <param name="ChangedAt">The database's clock when the row changed, just before the commit.</param>
public sealed record CatalogChange(string Kind, string Operation, string Id, IReadOnlyList<string> Skus, DateTimeOffset ChangedAt)
{
    public const string ProductKind = "product";
    public const string CategoryKind = "category";

    public bool IsProduct => Kind == ProductKind;

    /// <summary>
    /// Reads a payload of the <c>catalog_changes</c> channel: one change, or (an insert statement's
    /// announcement) a <c>rows</c> array of them sharing kind, operation and time. Null if it is not one.
    /// </summary>
    public static IReadOnlyList<CatalogChange>? Parse(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var kind = root.GetProperty("kind").GetString()!;
            var operation = root.GetProperty("op").GetString()!;
            var at = DateTimeOffset.UnixEpoch.AddTicks(root.GetProperty("at").GetInt64() * (TimeSpan.TicksPerMillisecond / 1000));
            if (root.TryGetProperty("rows", out var rows))
            {
                return [.. rows.EnumerateArray().Select(row => Row(kind, operation, at, row))];
            }

            return [Row(kind, operation, at, root)];
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static CatalogChange Row(string kind, string operation, DateTimeOffset at, JsonElement row)
    {
        var id = row.GetProperty("id");
        var skus = row.TryGetProperty("skus", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(s => s.GetString()!).ToArray()
            : [];
        return new CatalogChange(kind, operation, id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!, skus, at);
    }
}

/// <summary>
/// Told by <see cref="CatalogChangeNotifications"/> about every change and about the state of its
/// subscription. Called on the listener's connection thread: return quickly, never block.
/// </summary>
public interface ICatalogChangeSubscriber
{
    /// <summary>
    /// LISTEN has just succeeded: every change from now on will be announced, but those committed
    /// while no subscription existed were not. Called before <see cref="CatalogChangeNotifications.IsSubscribed"/> turns true.
    /// </summary>
    void OnSubscribed();

    /// <summary>The subscription is lost (called after <see cref="CatalogChangeNotifications.IsSubscribed"/> turned false).</summary>
    void OnUnsubscribed();

    void OnChange(CatalogChange change);
}
