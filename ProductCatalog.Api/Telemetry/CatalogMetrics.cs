using System.Diagnostics.Metrics;

namespace ProductCatalog.Api.Telemetry;

/// <summary>
/// The catalog's own metrics, on a <see cref="Meter"/> named <see cref="MeterName"/>. One method
/// per outcome; <see cref="CatalogMetricsMiddleware"/> calls them for every catalog endpoint, and
/// code that knows more than a status code can call them too. Names follow OpenTelemetry's
/// conventions (dot-separated, lower case, unit in <c>unit</c>, not in the name).
/// </summary>
public sealed class CatalogMetrics
{
    /// <summary>The meter's name: the service's name, which the service defaults export.</summary>
    public const string MeterName = "ProductCatalog.Api";

    public const string ProductsCreatedName = "catalog.products.created";
    public const string ProductsUpdatedName = "catalog.products.updated";
    public const string ProductsDeletedName = "catalog.products.deleted";
    public const string StockAdjustmentsName = "catalog.stock.adjustments";
    public const string WritesRejectedName = "catalog.writes.rejected";
    public const string ListDurationName = "catalog.products.list.duration";
    public const string EventsRecordedName = "catalog.events.recorded";
    public const string EventsPublishedName = "catalog.events.published";
    public const string EventsPublishFailedName = "catalog.events.publish_failed";
    public const string OutboxLagName = "catalog.events.outbox.lag";

    /// <summary>Tag on <see cref="WritesRejectedName"/>: why a write was refused.</summary>
    public const string ReasonTag = "reason";

    /// <summary>Tag on <see cref="WritesRejectedName"/>: the endpoint's name (CreateProduct, AdjustStock, ...).</summary>
    public const string OperationTag = "operation";

    private readonly Counter<long> _created;
    private readonly Counter<long> _updated;
    private readonly Counter<long> _deleted;
    private readonly Counter<long> _stockAdjustments;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _listDuration;
    private readonly Counter<long> _eventsRecorded;
    private readonly Counter<long> _eventsPublished;
    private readonly Counter<long> _eventsPublishFailed;
    private readonly TimeProvider _time;

    /// <summary>UTC ticks of the oldest event the relay has not yet had confirmed; 0 when none is waiting.</summary>
    private long _oldestUnpublishedTicks;
    private volatile bool _lagKnown;

    public CatalogMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        var meter = meterFactory.Create(MeterName);

        _created = meter.CreateCounter<long>(ProductsCreatedName, "{product}", "Products created (batch items count one each).");
        _updated = meter.CreateCounter<long>(ProductsUpdatedName, "{product}", "Products replaced or patched.");
        _deleted = meter.CreateCounter<long>(ProductsDeletedName, "{product}", "Products deleted.");
        _stockAdjustments = meter.CreateCounter<long>(StockAdjustmentsName, "{adjustment}", "Stock adjustments applied.");
        _rejected = meter.CreateCounter<long>(WritesRejectedName, "{request}", "Writes refused, by reason (validation, conflict, precondition, not_found, ...).");
        _listDuration = meter.CreateHistogram<double>(
            ListDurationName,
            "s",
            "Time to answer a product list query, database included.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });

        _eventsRecorded = meter.CreateCounter<long>(EventsRecordedName, "{event}",
            "Change events committed to the outbox (counted by the replica that gave them their feed position).");
        _eventsPublished = meter.CreateCounter<long>(EventsPublishedName, "{event}", "Change events the broker confirmed.");
        _eventsPublishFailed = meter.CreateCounter<long>(EventsPublishFailedName, "{event}",
            "Change events whose publish failed (broker down, refused or unconfirmed); each is retried.");
        // Observed, not pushed: the age keeps growing while the broker is down even if nothing else happens.
        meter.CreateObservableGauge(OutboxLagName, ObserveOutboxLag, "s",
            "Age of the oldest change event not yet confirmed by the broker; 0 when the outbox is drained. Reported by the publishing replica.");
    }

    public void EventsRecorded(long count)
    {
        if (count > 0)
        {
            _eventsRecorded.Add(count);
        }
    }

    public void EventsPublished(int count) => _eventsPublished.Add(count);

    public void EventsPublishFailed(int count) => _eventsPublishFailed.Add(count);

    /// <summary>What the relay last saw: the oldest unpublished event's time (null: nothing waits).</summary>
    public void OutboxOldestUnpublished(DateTimeOffset? oldest)
    {
        Interlocked.Exchange(ref _oldestUnpublishedTicks, oldest?.UtcTicks ?? 0);
        _lagKnown = true;
    }

    /// <summary>This replica stopped publishing: another one reports the lag now.</summary>
    public void OutboxLagUnknown() => _lagKnown = false;

    private IEnumerable<Measurement<double>> ObserveOutboxLag()
    {
        if (!_lagKnown)
        {
            yield break;
        }

        var ticks = Interlocked.Read(ref _oldestUnpublishedTicks);
        yield return new Measurement<double>(ticks == 0 ? 0 : Math.Max(0, (_time.GetUtcNow().UtcTicks - ticks) / (double)TimeSpan.TicksPerSecond));
    }

    public void ProductCreated(int count = 1) => _created.Add(count);

    public void ProductUpdated() => _updated.Add(1);

    public void ProductDeleted() => _deleted.Add(1);

    public void StockAdjusted() => _stockAdjustments.Add(1);

    /// <summary>
    /// Counts a refused write. Use a short, fixed vocabulary for <paramref name="reason"/>
    /// (<see cref="RejectionReasons"/>): every distinct value is a new time series.
    /// </summary>
    public void WriteRejected(string reason, string? operation = null)
    {
        if (operation is null)
        {
            _rejected.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));
        }
        else
        {
            _rejected.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason), new KeyValuePair<string, object?>(OperationTag, operation));
        }
    }

    public void RecordListDuration(TimeSpan elapsed) => _listDuration.Record(elapsed.TotalSeconds);
}

/// <summary>The values of the <c>reason</c> tag on <c>catalog.writes.rejected</c>.</summary>
public static class RejectionReasons
{
    public const string Validation = "validation";
    public const string Conflict = "conflict";
    public const string NotFound = "not_found";
    public const string PreconditionFailed = "precondition_failed";
    public const string InsufficientStock = "insufficient_stock";
    public const string IdempotencyMismatch = "idempotency_mismatch";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string TooLarge = "too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ServerError = "server_error";
    public const string Other = "other";
}
