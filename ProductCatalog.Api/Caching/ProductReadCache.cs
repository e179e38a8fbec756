using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Caching;

/// <summary>
/// The serialized responses of products read by id or SKU, so that a hot GET (and its 304) needs
/// no database round trip. Correct across replicas: every committed change to a product is
/// announced by the database (<see cref="CatalogChangeNotifications"/>) and evicts it here, on
/// every replica; a write through this process also evicts at once, so its own next read is fresh.
/// </summary>
/// <remarks>
/// <para>
/// While the change subscription is down nothing is served from or stored in the cache, and on
/// (re)subscribing it drops everything: changes made meanwhile went unannounced.
/// </para>
/// <para>
/// A read that raced a change is never cached: <see cref="Generation"/> moves with every change
/// this process hears of, and <see cref="Store"/> takes back an entry whose read began before.
/// Entries do not expire (invalidation, not time, keeps them fresh); memory is bounded by
/// <see cref="ReadCacheOptions.SizeLimitMegabytes"/>, least recently used entries going first.
/// </para>
/// </remarks>
internal sealed class ProductReadCache : ICatalogChangeSubscriber, IDisposable
{
    /// <summary>Per-entry bookkeeping beyond the JSON (keys, entry object, index), for the size limit.</summary>
    internal const int EntryOverhead = 300;

    private readonly MemoryCache _entries;
    private readonly ReadCacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly bool _enabled;
    private volatile bool _serving;
    private long _generation;

    public ProductReadCache(IOptions<ReadCacheOptions> options, ReadCacheMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _enabled = options.Value.Enabled;
        _metrics = metrics;
        _time = time;
        _entries = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.SizeLimitMegabytes * 1024L * 1024L,
            CompactionPercentage = 0.1,

            // For the counted size, which shows an operator a cache at its limit (evicting the least recently used):
            // counting those evictions one by one needed a callback per entry, 160 bytes each (8 MB for 50 000 products).
            TrackStatistics = true,
        });
        metrics.Observe(this);
    }

    /// <summary>True when reads may be answered from (and stored in) the cache.</summary>
    public bool IsServing => _serving;

    public long Count => _entries.Count;

    /// <summary>What the entries count against <see cref="ReadCacheOptions.SizeLimitMegabytes"/>, in bytes.</summary>
    public long CountedBytes => _entries.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <summary>Read before the database query; pass to <see cref="Store"/>.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public CachedProduct? FindById(Guid id)
    {
        if (!_serving)
        {
            return null;
        }

        if (_entries.TryGetValue(id, out var value) && value is CachedProduct entry)
        {
            _metrics.Hit();
            return entry;
        }

        _metrics.Miss();
        return null;
    }

    /// <summary>By the stored (upper-cased) SKU; the entry's own SKU is checked, so a stale mapping only misses.</summary>
    public CachedProduct? FindBySku(string sku)
    {
        if (!_serving)
        {
            return null;
        }

        if (_entries.TryGetValue(sku, out var id) && id is Guid productId
            && _entries.TryGetValue(productId, out var value) && value is CachedProduct entry && entry.Sku == sku)
        {
            _metrics.Hit();
            return entry;
        }

        _metrics.Miss();
        return null;
    }

    /// <summary>
    /// Caches what a read found, unless a change was heard of since <paramref name="generation"/>
    /// was read: such a read may have seen the row before that change committed.
    /// </summary>
    public CachedProduct Store(long generation, VersionedProduct found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var json = JsonSerializer.SerializeToUtf8Bytes(found.Product, CatalogJsonContext.Default.ProductResponse);
        var entry = new CachedProduct(found.Product.Id, found.Product.Sku, found.Version, ETags.For(found.Version), json);
        if (!_serving || Volatile.Read(ref _generation) != generation)
        {
            return entry;
        }

        using (var cached = _entries.CreateEntry(entry.Id))
        {
            cached.Value = entry;
            cached.Size = json.Length + EntryOverhead;
        }

        using (var bySku = _entries.CreateEntry(entry.Sku))
        {
            bySku.Value = entry.Id;
            bySku.Size = EntryOverhead;
        }

        if (Volatile.Read(ref _generation) != generation)
        {
            // A change was heard of meanwhile and may already have evicted this id: undo ours.
            _entries.Remove(entry.Id);
        }

        return entry;
    }

    /// <summary>
    /// Call after a write to a product has committed: this process's next read is fresh at once,
    /// without waiting for the announcement (which evicts it again, harmlessly).
    /// </summary>
    public void Invalidate(Guid id)
    {
        Interlocked.Increment(ref _generation);
        _entries.Remove(id);
    }

    void ICatalogChangeSubscriber.OnChange(CatalogChange change)
    {
        if (!change.IsProduct || !Guid.TryParse(change.Id, out var id))
        {
            // A category's changes do not alter any cached product response (it carries the category id only).
            return;
        }

        Interlocked.Increment(ref _generation);
        if (_entries.TryGetValue(id, out _))
        {
            _metrics.Evicted(1, ReadCacheMetrics.ChangedReason);
        }

        _entries.Remove(id);
        foreach (var sku in change.Skus)
        {
            _entries.Remove(sku);
        }

        _metrics.InvalidationLag(_time.GetUtcNow() - change.ChangedAt);
    }

    void ICatalogChangeSubscriber.OnSubscribed()
    {
        Interlocked.Increment(ref _generation);
        DropEverything();
        _serving = _enabled;
    }

    void ICatalogChangeSubscriber.OnUnsubscribed()
    {
        _serving = false;
        Interlocked.Increment(ref _generation);
        DropEverything();
    }

    public void Dispose() => _entries.Dispose();

    private void DropEverything()
    {
        var count = _entries.Count;
        _entries.Clear();
        _metrics.Evicted(count, ReadCacheMetrics.ResubscribedReason);
    }
}

/// <summary>A product's response as served: its JSON, version and ETag.</summary>
internal sealed record CachedProduct(Guid Id, string Sku, uint Version, string ETag, byte[] Json);
