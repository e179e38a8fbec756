using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Tests.Unit;

/// <summary>The read cache's own rules: what it serves, what a change takes back, and the size it reports.</summary>
public sealed class ReadCacheTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IMeterFactory _meterFactory;
    private readonly ProductReadCache _cache;

    public ReadCacheTests()
    {
        _meterFactory = _services.GetRequiredService<IMeterFactory>();
        _cache = new ProductReadCache(Options.Create(new ReadCacheOptions()), new ReadCacheMetrics(_meterFactory), TimeProvider.System);
    }

    [Fact]
    public void The_size_gauge_counts_each_products_json_and_its_two_entries_and_drops_a_changed_one()
    {
        var subscriber = (ICatalogChangeSubscriber)_cache;
        subscriber.OnSubscribed();
        var first = _cache.Store(_cache.Generation, Found("CACHE-A"));
        var second = _cache.Store(_cache.Generation, Found("CACHE-B"));

        Assert.Equal(first.Json.Length + second.Json.Length + (4 * ProductReadCache.EntryOverhead), ObservedSize());
        Assert.Same(second, _cache.FindBySku("CACHE-B"));

        subscriber.OnChange(new CatalogChange("product", "update", first.Id.ToString(), ["CACHE-A"], DateTimeOffset.UtcNow));

        Assert.Null(_cache.FindById(first.Id));
        Assert.Equal(second.Json.Length + (2 * ProductReadCache.EntryOverhead), ObservedSize());
    }

    [Fact]
    public void A_read_that_raced_a_change_is_not_cached_and_counts_nothing()
    {
        ((ICatalogChangeSubscriber)_cache).OnSubscribed();
        var generation = _cache.Generation;
        var found = Found("CACHE-C");
        _cache.Invalidate(found.Product.Id);

        var entry = _cache.Store(generation, found);

        Assert.Null(_cache.FindById(entry.Id));
        Assert.Equal(0, ObservedSize());
    }

    public void Dispose()
    {
        _cache.Dispose();
        _services.Dispose();
    }

    private static VersionedProduct Found(string sku) => new(
        new ProductResponse(
            Guid.NewGuid(), sku, "Cached " + sku, "A product held by the read cache", 12.5m, "EUR", null, ["cache"], 3, true,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
        7);

    private long ObservedSize()
    {
        long? observed = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: its factory is the meter's scope.
            if (instrument.Name == ReadCacheMetrics.SizeName && instrument.Meter.Scope == _meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return observed ?? throw new InvalidOperationException($"{ReadCacheMetrics.SizeName} was not observed.");
    }
}
