using System.Text.Json;

namespace ProductCatalog.Tests.Unit;

public sealed class ChangeEventRecorderTests
{
    private static readonly ProductResponse s_product = new(
        Guid.CreateVersion7(), "TENT-1", "Tent", null, 10.5m, "USD", null, ["camping"], 3, true,
        DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse("2026-01-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private readonly ChangeEventRecorder _recorder = new(TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new ChangeEventOptions()));

    [Fact]
    public void Changed_lists_the_members_whose_values_differ_in_response_order_never_the_timestamps()
    {
        var after = s_product with { Price = 11m, Tags = ["camping", "sale"], Name = "Big tent", UpdatedAt = DateTimeOffset.UtcNow };

        Assert.Equal(["name", "price", "tags"], ChangeEventRecorder.ChangedFields(s_product, after));
        Assert.Empty(ChangeEventRecorder.ChangedFields(s_product, s_product with { UpdatedAt = DateTimeOffset.UtcNow, Tags = ["camping"] }));
    }

    [Fact]
    public void Updated_data_is_the_product_plus_changed_with_the_price_as_the_database_stores_it()
    {
        var e = _recorder.ProductUpdated(s_product, s_product with { Price = 12m });

        var data = JsonDocument.Parse(e.Data).RootElement;
        Assert.Equal("12.00", data.GetProperty("price").GetRawText());
        Assert.Equal(["price"], data.GetProperty("changed").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("2026-01-02T00:00:00.000Z", data.GetProperty("updatedAt").GetString());
        Assert.Equal(ChangeEventTypes.ProductUpdated, e.Type);
        Assert.Equal(s_product.Id.ToString(), e.Subject);
        Assert.Equal(s_product.UpdatedAt, e.Time);
    }

    [Fact]
    public void Stock_and_delete_events_have_the_contracts_small_shapes()
    {
        var id = Guid.CreateVersion7();
        var stock = JsonDocument.Parse(_recorder.StockChanged(id, 7, -3, "order 1", DateTimeOffset.UtcNow).Data).RootElement;
        Assert.Equal(["productId", "stockQuantity", "delta", "reason"], stock.EnumerateObject().Select(p => p.Name));

        var deleted = JsonDocument.Parse(_recorder.ProductDeleted(id, "TENT-1").Data).RootElement;
        Assert.Equal(["id", "sku"], deleted.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id"], JsonDocument.Parse(_recorder.CategoryDeleted(4).Data).RootElement.EnumerateObject().Select(p => p.Name));
    }
}
