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

    /// <summary>Reads a payload of the <c>catalog_changes</c> channel; null if it is not one.</summary>
    public static CatalogChange? Parse(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var id = root.GetProperty("id");
            var skus = root.TryGetProperty("skus", out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray().Select(s => s.GetString()!).ToArray()
                : [];
            return new CatalogChange(
                root.GetProperty("kind").GetString()!,
                root.GetProperty("op").GetString()!,
                id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!,
                skus,
                DateTimeOffset.UnixEpoch.AddTicks(root.GetProperty("at").GetInt64() * (TimeSpan.TicksPerMillisecond / 1000)));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
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
