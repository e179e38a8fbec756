namespace ProductCatalog.Tests.Unit;

/// <summary>The <c>catalog_changes</c> payloads the triggers send (migrations CatalogChangeNotifications and ProductInsertStatementNotifications).</summary>
public sealed class CatalogChangeTests
{
    private static readonly DateTimeOffset s_at = DateTimeOffset.Parse("2026-11-25T12:00:00.123456Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly long s_atMicros = (s_at - DateTimeOffset.UnixEpoch).Ticks / 10;

    [Fact]
    public void A_row_payload_is_one_change()
    {
        var changes = CatalogChange.Parse(
            $$"""{"kind":"product","op":"update","id":"0b9f7a52-6c8e-4a53-9d1c-1f1f2c3d4e5f","skus":["OLD-1","NEW-1"],"at":{{s_atMicros}}}""");

        var change = Assert.Single(changes!);
        Assert.Equal(new CatalogChange("product", "update", "0b9f7a52-6c8e-4a53-9d1c-1f1f2c3d4e5f", change.Skus, s_at), change);
        Assert.Equal(["OLD-1", "NEW-1"], change.Skus);
        Assert.True(change.IsProduct);
    }

    [Fact]
    public void A_category_id_is_a_number_and_has_no_skus()
    {
        var change = Assert.Single(CatalogChange.Parse($$"""{"kind":"category","op":"delete","id":7,"at":{{s_atMicros}}}""")!);

        Assert.Equal("7", change.Id);
        Assert.Empty(change.Skus);
        Assert.False(change.IsProduct);
    }

    [Fact]
    public void An_insert_statement_payload_is_one_change_per_row_in_order()
    {
        var changes = CatalogChange.Parse(
            $$"""{"kind":"product","op":"insert","rows":[{"id":"a","skus":["A-1"]},{"id":"b","skus":["B-1"]},{"id":"c","skus":["C-1"]}],"at":{{s_atMicros}}}""");

        Assert.Equal(["a", "b", "c"], changes!.Select(c => c.Id));
        Assert.All(changes!, c => Assert.Equal(("product", "insert", s_at), (c.Kind, c.Operation, c.ChangedAt)));
        Assert.Equal(["B-1"], changes![1].Skus);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"kind":"product","op":"insert","at":1}""")]
    [InlineData("""{"kind":"product","op":"insert","rows":[{"skus":["A"]}],"at":1}""")]
    [InlineData("""{"kind":"product","op":"insert","id":"a","at":"soon"}""")]
    [InlineData("[]")]
    public void Anything_else_is_unreadable(string payload) => Assert.Null(CatalogChange.Parse(payload));
}
