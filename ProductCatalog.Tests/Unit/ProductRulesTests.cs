namespace ProductCatalog.Tests.Unit;

public sealed class ProductRulesTests
{
    private static ProductWriteRequest Valid() => new() { Sku = "abc-1.x_Y", Name = "  Name  ", Price = 12.5m };

    private static (ProductValues? Values, IDictionary<string, string[]> Errors) Validate(ProductWriteRequest request, string prefix = "")
    {
        var errors = new ValidationErrors();
        var values = ProductRules.Validate(request, errors, prefix);
        return (values, errors.ToDictionary());
    }

    [Fact]
    public void A_valid_request_is_normalized_with_defaults()
    {
        var (values, errors) = Validate(Valid() with { Tags = ["Red", " Blue "] });

        Assert.Empty(errors);
        Assert.Equal("ABC-1.X_Y", values!.Sku);
        Assert.Equal("Name", values.Name);
        Assert.Equal("USD", values.Currency);
        Assert.Equal(["red", "blue"], values.Tags);
        Assert.Equal(0, values.StockQuantity);
        Assert.True(values.IsActive);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    [InlineData("semi;colon")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // 65
    public void Bad_skus_are_rejected(string? sku)
    {
        Assert.Contains("sku", Validate(Valid() with { Sku = sku }).Errors.Keys);
    }

    [Fact]
    public void Sku_of_64_characters_is_accepted()
    {
        Assert.Empty(Validate(Valid() with { Sku = new string('A', 64) }).Errors);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("0.01", true)]
    [InlineData("999999999.99", true)]
    [InlineData("999999999.991", false)]
    [InlineData("1000000000", false)]
    [InlineData("-0.01", false)]
    [InlineData("1.005", false)]
    [InlineData("1.50", true)]
    public void Price_range_and_precision(string price, bool valid)
    {
        var errors = Validate(Valid() with { Price = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture) }).Errors;

        Assert.Equal(valid, !errors.ContainsKey("price"));
    }

    [Theory]
    [InlineData("USD", true)]
    [InlineData("EUR", true)]
    [InlineData("usd", false)]
    [InlineData("ABC", false)]
    [InlineData("US", false)]
    public void Currency_is_an_upper_case_iso_code(string currency, bool valid)
    {
        Assert.Equal(valid, !Validate(Valid() with { Currency = currency }).Errors.ContainsKey("currency"));
    }

    [Fact]
    public void Name_length_counts_after_trimming()
    {
        Assert.Empty(Validate(Valid() with { Name = "  " + new string('n', 200) + "  " }).Errors);
        Assert.Contains("name", Validate(Valid() with { Name = new string('n', 201) }).Errors.Keys);
        Assert.Contains("name", Validate(Valid() with { Name = "   " }).Errors.Keys);
    }

    [Fact]
    public void Tags_are_limited_and_deduplicated_case_insensitively()
    {
        Assert.Contains("tags", Validate(Valid() with { Tags = [.. Enumerable.Range(0, 21).Select(i => $"t{i}")] }).Errors.Keys);
        var errors = Validate(Valid() with { Tags = ["a", "A", "", new string('t', 51), null] }).Errors;
        Assert.Equal(["tags[1]", "tags[2]", "tags[3]", "tags[4]"], errors.Keys.Order());
    }

    [Fact]
    public void Description_allows_line_breaks_but_no_other_control_characters()
    {
        Assert.Empty(Validate(Valid() with { Description = "line\r\nline\ttab" }).Errors);
        Assert.Contains("description", Validate(Valid() with { Description = "nul\0" }).Errors.Keys);
        Assert.Contains("description", Validate(Valid() with { Description = new string('d', 4001) }).Errors.Keys);
    }

    [Fact]
    public void Errors_carry_the_prefix_for_batch_items()
    {
        var errors = Validate(new ProductWriteRequest(), "items[7].").Errors;

        Assert.Equal(["items[7].name", "items[7].price", "items[7].sku"], errors.Keys.Order());
    }

    [Fact]
    public void Negative_stock_and_non_positive_category_are_rejected()
    {
        var errors = Validate(Valid() with { StockQuantity = -1, CategoryId = 0 }).Errors;

        Assert.Contains("stockQuantity", errors.Keys);
        Assert.Contains("categoryId", errors.Keys);
    }
}
