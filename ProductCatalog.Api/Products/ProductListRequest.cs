using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The listing's filters as the framework binds them (and documents them: the OpenAPI parameters
/// come from these properties), shared by the listing and its facets. The endpoint's query validation
/// checks the raw text first, so a handler only sees values that passed; see <see cref="ProductListQuery.From(ProductListRequest)"/>.
/// </summary>
public record ProductFilterRequest
{
    [FromQuery(Name = "q")]
    [Description("Full-text search over name, description and SKU (web-search syntax; any text is safe). The last word also matches as a prefix (`tent pe` finds \"Tent pegs\"). When nothing matches, misspelt words (a missing, extra, wrong or swapped letter) are corrected to words of product names and the search is repeated (header `Search-Fallback`).")]
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
}

/// <summary>The listing's query string: the filters, then the order and the page.</summary>
public sealed record ProductListRequest : ProductFilterRequest
{
    [FromQuery(Name = "sort")]
    [Description("Sort order; ties are broken by id. `relevance` (best match first) only with `q`.")]
    public ProductSort? Sort { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Page size, 1 to 100 (default 20).")]
    [DefaultValue(ProductListQuery.DefaultLimit)]
    public int? Limit { get; init; }

    [FromQuery(Name = "cursor")]
    [Description("The previous page's nextCursor; valid only with the same filters and sort.")]
    public string? Cursor { get; init; }
}
