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

    private static readonly string[] s_known = ["q", "categoryId", "tag", "minPrice", "maxPrice", "isActive", "inStock", "sort", "limit", "cursor"];

    /// <summary>
    /// Checks the raw query string: unknown or repeated parameters, and every value's text, so that
    /// each problem names its parameter. The binder would accept more (<c>+5</c>, <c>True</c>) and
    /// answers what it cannot parse with an unnamed 400; this runs first (an endpoint filter) and
    /// again when binding failed (<see cref="QueryValidation"/>).
    /// </summary>
    public static void Validate(IQueryCollection query, ValidationErrors errors)
    {
        foreach (var (name, values) in query)
        {
            if (!s_known.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(name, $"Unknown query parameter. Known: {string.Join(", ", s_known)}.");
            }
            else if (values.Count > 1)
            {
                errors.Add(name, "Give this parameter once.");
            }
        }

        Text(query, "q", MaxSearchLength, errors);
        Text(query, "tag", ProductRules.MaxTagLength, errors);
        Parse(query, "categoryId", errors, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : (int?)null, "a positive integer");
        var minPrice = Parse(query, "minPrice", errors, ParsePrice, "a price from 0 to 999999999.99");
        var maxPrice = Parse(query, "maxPrice", errors, ParsePrice, "a price from 0 to 999999999.99");
        Parse(query, "isActive", errors, ParseBool, "true or false");
        Parse(query, "inStock", errors, ParseBool, "true or false");
        Parse(query, "limit", errors, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= MaxLimit ? v : (int?)null, $"an integer from 1 to {MaxLimit}");
        if (query.TryGetValue("sort", out var sortText) && !ProductSort.TryParse(sortText.ToString(), out _))
        {
            errors.Add("sort", $"Must be one of: {string.Join(", ", ProductSort.All.Select(s => s.Text))}.");
        }

        if (minPrice > maxPrice)
        {
            errors.Add("minPrice", "Must not be greater than maxPrice.");
        }

        if (query.TryGetValue("cursor", out var c) && c.ToString() is { Length: 0 })
        {
            errors.Add("cursor", "Must not be empty; omit it for the first page.");
        }
    }

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
/// The sort orders the listing supports; each has a matching (key, id) index. The binder parses a
/// <c>sort</c> with <see cref="TryParse"/>; the document shows it as a string of <see cref="All"/>'s texts.
/// </summary>
public sealed record ProductSort(string Text, string Field, bool Descending)
{
    public static readonly ProductSort Name = new("name", "name", false);

    public static readonly IReadOnlyList<ProductSort> All =
    [
        Name, new("-name", "name", true),
        new("price", "price", false), new("-price", "price", true),
        new("createdAt", "createdAt", false), new("-createdAt", "createdAt", true),
    ];

    public static bool TryParse(string text, out ProductSort sort)
    {
        sort = All.FirstOrDefault(s => s.Text == text)!;
        return sort is not null;
    }
}
