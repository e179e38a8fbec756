using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The contract's product rules: validates a write request and normalizes it (SKU upper-cased,
/// name trimmed, tags lower-cased). Errors are keyed by JSON path, with an optional prefix such
/// as <c>items[3].</c> for batch items.
/// </summary>
public static partial class ProductRules
{
    public const int MaxSkuLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 4000;
    public const decimal MaxPrice = 999_999_999.99m;
    public const int MaxTags = 20;
    public const int MaxTagLength = 50;
    public const string DefaultCurrency = "USD";

    public static ProductValues? Validate(ProductWriteRequest request, ValidationErrors errors, string prefix = "")
    {
        var before = errors.Count;

        var sku = NormalizeSku(request.Sku, errors, prefix + "sku");
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(prefix + "name", "Required; 1 to 200 characters after trimming.");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(prefix + "name", $"At most {MaxNameLength} characters.");
        }
        else if (TextRules.HasForbiddenCharacters(name))
        {
            errors.Add(prefix + "name", "Must not contain control characters.");
        }

        var description = request.Description;
        if (description is not null)
        {
            if (description.Length > MaxDescriptionLength)
            {
                errors.Add(prefix + "description", $"At most {MaxDescriptionLength} characters.");
            }
            else if (TextRules.HasForbiddenCharacters(description, multiLine: true))
            {
                errors.Add(prefix + "description", "Must not contain control characters other than tabs and line breaks.");
            }
        }

        if (request.Price is not { } price)
        {
            errors.Add(prefix + "price", "Required.");
        }
        else if (price < 0 || price > MaxPrice)
        {
            errors.Add(prefix + "price", $"Must be between 0 and {MaxPrice}.");
        }
        else if (decimal.Round(price, 2) != price)
        {
            errors.Add(prefix + "price", "At most 2 fraction digits.");
        }

        var currency = request.Currency ?? DefaultCurrency;
        if (!IsoCurrencies.Contains(currency))
        {
            errors.Add(prefix + "currency", "Must be an ISO 4217 currency code in upper case, such as USD or EUR.");
        }

        if (request.CategoryId is <= 0)
        {
            errors.Add(prefix + "categoryId", "Must be a positive category id or null.");
        }

        var tags = NormalizeTags(request.Tags, errors, prefix + "tags");

        if (request.StockQuantity is < 0)
        {
            errors.Add(prefix + "stockQuantity", "Must be 0 or more.");
        }

        return errors.Count > before
            ? null
            : new ProductValues(sku!, name!, description, request.Price!.Value, currency, request.CategoryId, tags,
                request.StockQuantity ?? 0, request.IsActive ?? true);
    }

    /// <summary>Upper-cased SKU, or null (with an error) when it is not a valid SKU.</summary>
    public static string? NormalizeSku(string? sku, ValidationErrors errors, string field)
    {
        if (!IsValidSku(sku))
        {
            errors.Add(field, "Required; 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' and '.'.");
            return null;
        }

        return sku!.ToUpperInvariant();
    }

    public static bool IsValidSku(string? sku) => sku is { Length: > 0 and <= MaxSkuLength } && SkuPattern().IsMatch(sku);

    private static List<string> NormalizeTags(IReadOnlyList<string?>? tags, ValidationErrors errors, string field)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > MaxTags)
        {
            errors.Add(field, $"At most {MaxTags} tags.");
            return [];
        }

        var normalized = new List<string>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i]?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(tag) || tag.Length > MaxTagLength)
            {
                errors.Add($"{field}[{i}]", $"Each tag has 1 to {MaxTagLength} characters.");
            }
            else if (TextRules.HasForbiddenCharacters(tag))
            {
                errors.Add($"{field}[{i}]", "Must not contain control characters.");
            }
            else if (normalized.Contains(tag))
            {
                errors.Add($"{field}[{i}]", $"Duplicate tag '{tag}' (tags are compared in lower case).");
            }
            else
            {
                normalized.Add(tag);
            }
        }

        return normalized;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SkuPattern();

    /// <summary>Active ISO 4217 codes.</summary>
    public static readonly FrozenSet<string> IsoCurrencies = (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
        + "CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
        + "GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD "
        + "KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO "
        + "NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD "
        + "SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV "
        + "WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG")
        .Split(' ').ToFrozenSet(StringComparer.Ordinal);
}
