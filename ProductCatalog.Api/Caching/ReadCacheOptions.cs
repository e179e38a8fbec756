using System.ComponentModel.DataAnnotations;

namespace ProductCatalog.Api.Caching;

/// <summary>Settings of <see cref="ProductReadCache"/>, section <c>Catalog:ReadCache</c>.</summary>
public sealed class ReadCacheOptions
{
    public const string SectionName = "Catalog:ReadCache";

    /// <summary>On by default, in every environment; false only to measure or diagnose the uncached path.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bound on the cached responses (JSON plus bookkeeping), per replica. A product's JSON is
    /// about 0.3–1 KB, so the default holds on the order of 100 000 products.
    /// </summary>
    [Range(1, 4096)]
    public int SizeLimitMegabytes { get; set; } = 96;
}
