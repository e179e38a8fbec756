using System.Collections.Concurrent;
using System.Text.Json;
using ProductCatalog.Api.Http;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The serialized responses of recently read products, by id (and SKU → id), so that a hot GET
/// (and its 304) needs no database round trip. Never stale after a write through this process:
/// every product write calls <see cref="Invalidate"/> once it has committed, and a read that
/// raced a write never stores what it read (see <see cref="Store"/>).
/// </summary>
/// <remarks>
/// In-process, so with several replicas a write on one cannot evict the others' copies. It is
/// therefore off unless <c>Catalog:ReadCache:Enabled</c> is true: the AppHost turns it on for
/// local runs (one replica) and the benchmark does too; the Container Apps deployment (2–10
/// replicas) leaves it off. <see cref="MaxAge"/> bounds the window if someone enables it there. Bounded to about <see cref="Capacity"/> products (about
/// 1 KB each), evicting arbitrary entries when full.
/// </remarks>
internal sealed class ProductReadCache(int capacity, TimeSpan maxAge, TimeProvider time)
{
    public const int DefaultCapacity = 50_000;

    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(30);

    /// <summary>One per process, like the process's memory: the handlers and the writes share it.</summary>
    public static ProductReadCache Shared { get; } = new(DefaultCapacity, DefaultMaxAge, TimeProvider.System);

    private readonly ConcurrentDictionary<Guid, CachedProduct> _byId = new();
    private readonly ConcurrentDictionary<string, Guid> _idBySku = new(StringComparer.Ordinal);
    private long _generation;
    private long _stores;

    public const string EnabledSetting = "Catalog:ReadCache:Enabled";

    /// <summary>When false, nothing is found and nothing is stored; invalidations are harmless.</summary>
    public bool Enabled { get; set; }

    public int Capacity { get; } = capacity;

    public TimeSpan MaxAge { get; } = maxAge;

    public int Count => _byId.Count;

    /// <summary>Read before the database query; pass to <see cref="Store"/>.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public CachedProduct? FindById(Guid id) =>
        Enabled && _byId.TryGetValue(id, out var entry) && Fresh(entry) ? entry : null;

    /// <summary>By the stored (upper-cased) SKU; the entry's own SKU is checked, so a stale mapping only misses.</summary>
    public CachedProduct? FindBySku(string sku) =>
        _idBySku.TryGetValue(sku, out var id) && FindById(id) is { } entry && entry.Sku == sku ? entry : null;

    /// <summary>
    /// Caches what a read found, unless a write happened since <paramref name="generation"/> was
    /// read: such a read may have seen the row before the write committed.
    /// </summary>
    public CachedProduct Store(long generation, VersionedProduct found)
    {
        var entry = new CachedProduct(found.Product.Id, found.Product.Sku, found.Version, ETags.For(found.Version),
            JsonSerializer.SerializeToUtf8Bytes(found.Product, CatalogJsonContext.Default.ProductResponse), time.GetTimestamp());
        if (!Enabled)
        {
            return entry;
        }

        // Counting a ConcurrentDictionary takes all its locks: only every 1024th store does.
        if ((Interlocked.Increment(ref _stores) & 1023) == 0 && _byId.Count >= Capacity)
        {
            EvictSome();
        }

        _byId[entry.Id] = entry;
        _idBySku[entry.Sku] = entry.Id;
        if (Volatile.Read(ref _generation) != generation)
        {
            // A write committed meanwhile and may already have run its Invalidate: undo ours.
            _byId.TryRemove(KeyValuePair.Create(entry.Id, entry));
        }

        return entry;
    }

    /// <summary>Call after every committed write to a product (update, stock change, delete).</summary>
    public void Invalidate(Guid id)
    {
        Interlocked.Increment(ref _generation);
        _byId.TryRemove(id, out _);
    }

    private bool Fresh(CachedProduct entry) => time.GetElapsedTime(entry.StoredAt) < MaxAge;

    private void EvictSome()
    {
        // Arbitrary victims: a tenth of the capacity, so eviction runs once per many stores.
        var victims = Capacity / 10;
        foreach (var key in _byId.Keys)
        {
            if (victims-- <= 0)
            {
                break;
            }

            _byId.TryRemove(key, out _);
        }

        if (_idBySku.Count > Capacity * 2)
        {
            _idBySku.Clear();
        }
    }
}

internal sealed record CachedProduct(Guid Id, string Sku, uint Version, string ETag, byte[] Json, long StoredAt);
