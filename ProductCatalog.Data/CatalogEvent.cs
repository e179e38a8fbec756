namespace ProductCatalog.Data;

/// <summary>
/// One change event in the transactional outbox, written in the same transaction as the change
/// it describes. <see cref="Seq"/> is the insert order; the feed <see cref="Position"/> is given
/// only after the writing transaction committed (see <see cref="CatalogEventFeed"/>), so positions
/// are dense and never appear out of order, whatever order concurrent writers commit in.
/// </summary>
public sealed class CatalogEvent
{
    /// <summary>Insert order (an identity). Within one subject it is commit order, see <see cref="CatalogEventFeed"/>.</summary>
    public long Seq { get; set; }

    /// <summary>The feed position; null until the event has been sequenced after its commit.</summary>
    public long? Position { get; set; }

    public Guid Id { get; set; }

    public required string Type { get; set; }

    public required string Source { get; set; }

    public required string Subject { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>The CloudEvent's <c>data</c>, as JSON text exactly as the API serialized it.</summary>
    public required string Data { get; set; }

    /// <summary>W3C trace context of the write that recorded the event.</summary>
    public string? TraceParent { get; set; }
}
