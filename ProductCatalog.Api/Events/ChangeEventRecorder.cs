using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Writes change events into the outbox (<see cref="CatalogDbContext.CatalogEventGroups"/>) of the
/// caller's unit of work, so they commit or roll back with the change. <c>data</c> is serialized
/// by the same source-generated serializers the GET endpoints use, so it is the resource exactly
/// as GET returns it after the change.
/// </summary>
/// <remarks>
/// Callers add an event only after they hold the changed row's lock (or, for replace and patch,
/// after the read whose version their UPDATE re-checks): that is what makes two events of one
/// subject get their order in the outbox in commit order (see <see cref="CatalogEventFeed"/>).
/// </remarks>
public sealed class ChangeEventRecorder(TimeProvider time, IOptions<ChangeEventOptions> options)
{
    /// <summary>False when <see cref="ChangeEventOptions.Enabled"/> is: writers then record (and serialize) nothing.</summary>
    public bool Enabled { get; } = options.Value.Enabled;

    /// <summary>Adds the event <paramref name="create"/> makes to <paramref name="db"/>'s unit of work; when events are off, makes none.</summary>
    public void Record(CatalogDbContext db, Func<ChangeEventRecorder, CatalogEvent> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Record(db, recorder => [create(recorder)]);
    }

    /// <summary>
    /// Adds the events <paramref name="create"/> makes, in their order, as one outbox row (they share
    /// type, source, time and trace, as one write's events do); when events are off, makes none.
    /// </summary>
    public void Record(CatalogDbContext db, Func<ChangeEventRecorder, IReadOnlyList<CatalogEvent>> create)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(create);
        if (Enabled)
        {
            db.CatalogEventGroups.Add(CatalogEventGroup.Of(create(this)));
        }
    }

    public CatalogEvent ProductCreated(ProductResponse product) =>
        New(ChangeEventTypes.ProductCreated, ChangeEventTypes.ProductSource, product.Id.ToString(), product.UpdatedAt,
            JsonSerializer.Serialize(AsStored(product), CatalogJsonContext.Default.ProductResponse));

    public CatalogEvent ProductUpdated(ProductResponse before, ProductResponse after)
    {
        var data = JsonSerializer.SerializeToNode(AsStored(after), CatalogJsonContext.Default.ProductResponse)!.AsObject();
        data["changed"] = new JsonArray([.. ChangedFields(before, after).Select(f => JsonValue.Create(f))]);
        return New(ChangeEventTypes.ProductUpdated, ChangeEventTypes.ProductSource, after.Id.ToString(), after.UpdatedAt, data.ToJsonString());
    }

    public CatalogEvent StockChanged(Guid productId, int stockQuantity, int delta, string? reason, DateTimeOffset at) =>
        New(ChangeEventTypes.ProductStockChanged, ChangeEventTypes.ProductSource, productId.ToString(), at,
            JsonSerializer.Serialize(new StockChangedData(productId, stockQuantity, delta, reason), CatalogJsonContext.Default.StockChangedData));

    public CatalogEvent ProductDeleted(Guid id, string sku) =>
        New(ChangeEventTypes.ProductDeleted, ChangeEventTypes.ProductSource, id.ToString(), Now(),
            JsonSerializer.Serialize(new ProductDeletedData(id, sku), CatalogJsonContext.Default.ProductDeletedData));

    public CatalogEvent CategoryCreated(CategoryResponse category) =>
        New(ChangeEventTypes.CategoryCreated, ChangeEventTypes.CategorySource, category.Id.ToString(CultureInfo.InvariantCulture), Now(),
            JsonSerializer.Serialize(category, CatalogJsonContext.Default.CategoryResponse));

    public CatalogEvent CategoryUpdated(CategoryResponse category) =>
        New(ChangeEventTypes.CategoryUpdated, ChangeEventTypes.CategorySource, category.Id.ToString(CultureInfo.InvariantCulture), Now(),
            JsonSerializer.Serialize(category, CatalogJsonContext.Default.CategoryResponse));

    public CatalogEvent CategoryDeleted(int id) =>
        New(ChangeEventTypes.CategoryDeleted, ChangeEventTypes.CategorySource, id.ToString(CultureInfo.InvariantCulture), Now(),
            JsonSerializer.Serialize(new CategoryDeletedData(id), CatalogJsonContext.Default.CategoryDeletedData));

    /// <summary>The response's members (camelCase, as serialized) whose values differ; timestamps and id never count.</summary>
    public static IReadOnlyList<string> ChangedFields(ProductResponse before, ProductResponse after)
    {
        var changed = new List<string>();
        void Check(bool differs, string name)
        {
            if (differs)
            {
                changed.Add(name);
            }
        }

        Check(before.Sku != after.Sku, "sku");
        Check(before.Name != after.Name, "name");
        Check(before.Description != after.Description, "description");
        Check(before.Price != after.Price, "price");
        Check(before.Currency != after.Currency, "currency");
        Check(before.CategoryId != after.CategoryId, "categoryId");
        Check(!before.Tags.SequenceEqual(after.Tags, StringComparer.Ordinal), "tags");
        Check(before.StockQuantity != after.StockQuantity, "stockQuantity");
        Check(before.IsActive != after.IsActive, "isActive");
        return changed;
    }

    /// <summary>
    /// The price as the database returns it (numeric(12,2) keeps two fraction digits, so GET says
    /// 10.50 where the request said 10.5): the event must match GET, not the request.
    /// </summary>
    private static ProductResponse AsStored(ProductResponse product) => product with { Price = product.Price + 0.00m };

    private DateTimeOffset Now() => ProductWriteSupport.Now(time);

    private static CatalogEvent New(string type, string source, string subject, DateTimeOffset at, string data) => new()
    {
        Id = Guid.CreateVersion7(at),
        Type = type,
        Source = source,
        Subject = subject,
        Time = at,
        Data = data,
        TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null,
    };
}
