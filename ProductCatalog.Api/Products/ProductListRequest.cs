using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The listing's query string as the framework binds it (and documents it: the OpenAPI parameters
/// come from these properties). <see cref="ProductListQuery.Validate"/> checks the raw text first,
/// so the handler only sees values that passed; see <see cref="ProductListQuery.From"/>.
/// </summary>
public sealed record ProductListRequest
{
    [FromQuery(Name = "q")]
    [Description("Full-text search over name, description and SKU (web-search syntax; any text is safe).")]
    public string? Q { get; init; }

    [FromQuery(Name = "categoryId")]
    [Description("Only products in this category.")]
    public int? CategoryId { get; init; }

    [FromQuery(Name = "tag")]
    [Description("Only products with this tag (case-insensitive).")]
    public string? Tag { get; init; }

    [FromQuery(Name = "minPrice")]
    [Description("Lowest price, inclusive.")]
    public decimal? MinPrice { get; init; }

    [FromQuery(Name = "maxPrice")]
    [Description("Highest price, inclusive.")]
    public decimal? MaxPrice { get; init; }

    [FromQuery(Name = "isActive")]
    [Description("Only active (true) or inactive (false) products.")]
    public bool? IsActive { get; init; }

    [FromQuery(Name = "inStock")]
    [Description("Only products with stock (true) or without (false).")]
    public bool? InStock { get; init; }

    [FromQuery(Name = "sort")]
    [Description("Sort order; ties are broken by id.")]
    public ProductSort? Sort { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Page size, 1 to 100 (default 20).")]
    [DefaultValue(ProductListQuery.DefaultLimit)]
    public int? Limit { get; init; }

    [FromQuery(Name = "cursor")]
    [Description("The previous page's nextCursor; valid only with the same filters and sort.")]
    public string? Cursor { get; init; }
}
