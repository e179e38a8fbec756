using System.Diagnostics.Metrics;

namespace ProductCatalog.Api.Caching;

/// <summary>
/// The read cache's metrics, on the catalog's meter (<see cref="CatalogMetrics.MeterName"/>):
/// hits, misses, evictions by reason, entries held and the bytes they count, and the invalidation lag — from the change's
/// time in the database (just before its commit) to its eviction here.
/// </summary>
public sealed class ReadCacheMetrics
{
    public const string HitsName = "catalog.cache.hits";
    public const string MissesName = "catalog.cache.misses";
    public const string EvictionsName = "catalog.cache.evictions";
    public const string EntriesName = "catalog.cache.entries";
    public const string SizeName = "catalog.cache.size";
    public const string InvalidationLagName = "catalog.cache.invalidation.lag";

    /// <summary>Tag on <see cref="EvictionsName"/>.</summary>
    public const string ReasonTag = "reason";

    public const string ChangedReason = "changed";
    public const string ResubscribedReason = "resubscribed";

    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _evictions;
    private readonly Histogram<double> _lag;

    public ReadCacheMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(CatalogMetrics.MeterName);
        _hits = _meter.CreateCounter<long>(HitsName, "{request}", "Product reads answered from the read cache.");
        _misses = _meter.CreateCounter<long>(MissesName, "{request}", "Product reads the read cache could not answer (while it serves).");
        _evictions = _meter.CreateCounter<long>(EvictionsName, "{entry}", "Cached products dropped, by reason (changed, resubscribed).");
        _lag = _meter.CreateHistogram<double>(
            InvalidationLagName,
            "s",
            "Time from a product change in the database to its eviction from this replica's cache.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
            });
    }

    public void Hit() => _hits.Add(1);

    public void Miss() => _misses.Add(1);

    public void Evicted(long count, string reason)
    {
        if (count > 0)
        {
            _evictions.Add(count, new KeyValuePair<string, object?>(ReasonTag, reason));
        }
    }

    public void InvalidationLag(TimeSpan lag) => _lag.Record(Math.Max(0, lag.TotalSeconds));

    internal void Observe(ProductReadCache cache)
    {
        _meter.CreateObservableGauge(EntriesName, () => cache.Count, "{entry}", "Entries held by the read cache (products and SKU keys).");
        _meter.CreateObservableGauge(
            SizeName,
            () => cache.CountedBytes,
            "By",
            "What the read cache's entries count against its size limit (each product's JSON plus 600 bytes); at the limit, the least recently used are evicted.");
    }
}
