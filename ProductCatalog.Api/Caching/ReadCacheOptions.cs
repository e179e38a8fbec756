using System.ComponentModel.DataAnnotations;

namespace ProductCatalog.Api.Caching;

/// <summary>Settings of <see cref="ProductReadCache"/>, section <c>Catalog:ReadCache</c>.</summary>
public sealed class ReadCacheOptions
{
    public const string SectionName = "Catalog:ReadCache";

    /// <summary>On by default, in every environment; false only to measure or diagnose the uncached path.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bound on the cached responses, per replica, in megabytes of what the cache counts: a product
    /// counts its JSON's length plus 600 bytes (300 for its entry by id, 300 for its SKU's). The
    /// bench's products (JSON about 0.55 KB) count about 1.15 KB each, so the default 96 MB holds
    /// about 85 000 of them. What a cached product really costs in resident memory was measured at
    /// 1.1–1.3 KB (bench/run.sh --quick: warming 50 000 products added 53–64 MB to the API's RSS),
    /// so the full default bound adds roughly 100–115 MB to a replica's resident set.
    /// </summary>
    [Range(1, 4096)]
    public int SizeLimitMegabytes { get; set; } = 96;
}
