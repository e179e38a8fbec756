using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ProductCatalog.Api.Products;

/// <summary>The listing's query, validated. Unknown or repeated parameters are errors, not silently ignored.</summary>
public sealed record ProductListQuery(
    string? Q,
    int? CategoryId,
    string? Tag,
    decimal? MinPrice,
    decimal? MaxPrice,
    bool? IsActive,
    bool? InStock,
    ProductSort Sort,
    int Limit,
    string? Cursor)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public const int MaxSearchLength = 200;

    private static readonly string[] s_filters = ["q", "categoryId", "tag", "minPrice", "maxPrice", "isActive", "inStock"];
    private static readonly string[] s_known = [.. s_filters, "sort", "limit", "cursor"];

    /// <summary>
    /// Checks the raw query string: unknown or repeated parameters, and every value's text, so that
    /// each problem names its parameter. The binder would accept more (<c>+5</c>, <c>True</c>) and
    /// answers what it cannot parse with an unnamed 400; this runs first (an endpoint filter) and
    /// again when binding failed (<see cref="QueryValidation"/>).
    /// </summary>
    public static void Validate(IQueryCollection query, ValidationErrors errors)
    {
        CheckNames(query, s_known, errors, _ => $"Unknown query parameter. Known: {string.Join(", ", s_known)}.");
        ValidateFilters(query, errors);
        Parse(query, "limit", errors, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= MaxLimit ? v : (int?)null, $"an integer from 1 to {MaxLimit}");
        if (query.TryGetValue("sort", out var sortText))
        {
            if (!ProductSort.TryParse(sortText.ToString(), out var sort))
            {
                errors.Add("sort", $"Must be one of: {string.Join(", ", ProductSort.All.Select(s => s.Text))}.");
            }
            else if (sort == ProductSort.Relevance && !query.ContainsKey("q"))
            {
                errors.Add("sort", "relevance ranks a search's matches: only with q.");
            }
        }

        if (query.TryGetValue("cursor", out var c) && c.ToString() is { Length: 0 })
        {
            errors.Add("cursor", "Must not be empty; omit it for the first page.");
        }
    }

    /// <summary>
    /// The facets' query string: the listing's filters only. <c>sort</c>, <c>limit</c> and <c>cursor</c>
    /// are named as errors rather than ignored, since a caller sending them expects them to apply.
    /// </summary>
    public static void ValidateFacets(IQueryCollection query, ValidationErrors errors)
    {
        CheckNames(query, s_filters, errors, name => s_known.Contains(name, StringComparer.Ordinal)
            ? "Facets count every match: sort, limit and cursor do not apply to them."
            : $"Unknown query parameter. Known: {string.Join(", ", s_filters)}.");
        ValidateFilters(query, errors);
    }

    private static void CheckNames(IQueryCollection query, string[] known, ValidationErrors errors, Func<string, string> unknown)
    {
        foreach (var (name, values) in query)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(name, unknown(name));
            }
            else if (values.Count > 1)
            {
                errors.Add(name, "Give this parameter once.");
            }
        }
    }

    private static void ValidateFilters(IQueryCollection query, ValidationErrors errors)
    {
        Text(query, "q", MaxSearchLength, errors);
        Text(query, "tag", ProductRules.MaxTagLength, errors);
        Parse(query, "categoryId", errors, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : (int?)null, "a positive integer");
        var minPrice = Parse(query, "minPrice", errors, ParsePrice, "a price from 0 to 999999999.99");
        var maxPrice = Parse(query, "maxPrice", errors, ParsePrice, "a price from 0 to 999999999.99");
        Parse(query, "isActive", errors, ParseBool, "true or false");
        Parse(query, "inStock", errors, ParseBool, "true or false");
        if (minPrice > maxPrice)
        {
            errors.Add("minPrice", "Must not be greater than maxPrice.");
        }
    }

    /// <summary>The facets' filters: the listing's, with its default sort and page size (which facets ignore).</summary>
    public static ProductListQuery From(ProductFilterRequest request) => From(new ProductListRequest
    {
        Q = request.Q,
        CategoryId = request.CategoryId,
        Tag = request.Tag,
        MinPrice = request.MinPrice,
        MaxPrice = request.MaxPrice,
        IsActive = request.IsActive,
        InStock = request.InStock,
    });

    /// <summary>The bound values of a query string that <see cref="Validate"/> passed, with defaults and tags normalized.</summary>
    public static ProductListQuery From(ProductListRequest request) => new(
        request.Q,
        request.CategoryId,
        request.Tag?.Trim().ToLowerInvariant(),
        request.MinPrice,
        request.MaxPrice,
        request.IsActive,
        request.InStock,
        request.Sort ?? ProductSort.Name,
        request.Limit ?? DefaultLimit,
        request.Cursor);

    /// <summary>
    /// Fingerprint of everything that defines the result set and its order; a cursor is only
    /// accepted by a listing with the same fingerprint. The page size may change between pages.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = string.Join('\u001f', Q, CategoryId, Tag, MinPrice?.ToString(CultureInfo.InvariantCulture),
            MaxPrice?.ToString(CultureInfo.InvariantCulture), IsActive, InStock, Sort.Text);
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)), 0, 12);
    }

    private static void Text(IQueryCollection query, string name, int maxLength, ValidationErrors errors)
    {
        if (query.TryGetValue(name, out var values) && values.ToString() is var text
            && (string.IsNullOrWhiteSpace(text) || text.Length > maxLength || TextRules.HasForbiddenCharacters(text)))
        {
            errors.Add(name, $"1 to {maxLength} characters, no control characters.");
        }
    }

    private static T? Parse<T>(IQueryCollection query, string name, ValidationErrors errors, Func<string, T?> parse, string expected)
        where T : struct
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        var parsed = parse(values.ToString());
        if (parsed is null)
        {
            errors.Add(name, $"Must be {expected}.");
        }

        return parsed;
    }

    private static decimal? ParsePrice(string s) =>
        decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) && v <= ProductRules.MaxPrice ? v : null;

    private static bool? ParseBool(string s) => s switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };
}

/// <summary>
/// The sort orders the listing supports; each but relevance has a matching (key, id) index. The binder parses a
/// <c>sort</c> with <see cref="TryParse"/>; the document shows it as a string of <see cref="All"/>'s texts.
/// </summary>
public sealed record ProductSort(string Text, string Field, bool Descending)
{
    public static readonly ProductSort Name = new("name", "name", false);

    /// <summary>Best match first (only with <c>q</c>); ranked by <see cref="ProductSearch"/>, not by an index order.</summary>
    public static readonly ProductSort Relevance = new("relevance", "relevance", true);

    public static readonly IReadOnlyList<ProductSort> All =
    [
        Name, new("-name", "name", true),
        new("price", "price", false), new("-price", "price", true),
        new("createdAt", "createdAt", false), new("-createdAt", "createdAt", true),
        Relevance,
    ];

    public static bool TryParse(string text, out ProductSort sort)
    {
        sort = All.FirstOrDefault(s => s.Text == text)!;
        return sort is not null;
    }
}
