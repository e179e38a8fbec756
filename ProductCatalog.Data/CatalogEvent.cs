namespace ProductCatalog.Data;

/// <summary>
/// One change event as recorded: the CloudEvent's attributes and its <c>data</c>. The outbox keeps
/// events in <see cref="CatalogEventGroup"/> rows; <see cref="Position"/> is the event's place in
/// the feed, null until its group has been sequenced after commit (see <see cref="CatalogEventFeed"/>).
/// </summary>
public sealed class CatalogEvent
{
    /// <summary>The feed position; null until the event has been sequenced after its commit.</summary>
    public long? Position { get; init; }

    public Guid Id { get; init; }

    public required string Type { get; init; }

    public required string Source { get; init; }

    public required string Subject { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>The CloudEvent's <c>data</c>, as JSON text exactly as the API serialized it.</summary>
    public required string Data { get; init; }

    /// <summary>W3C trace context of the write that recorded the event.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>
/// One outbox row: the events one write recorded together, all of one type and source, at one
/// time, in one trace (a single change records one; a batch import one per item, in item order).
/// Written in the same transaction as the change. <see cref="Seq"/> is the insert order; the feed
/// positions <see cref="FirstPosition"/>..<see cref="LastPosition"/> are given only after the
/// writing transaction committed (see <see cref="CatalogEventFeed"/>), so positions are dense and
/// never appear out of order, whatever order concurrent writers commit in.
/// </summary>
/// <remarks>
/// A row per write rather than per event: numbering then rewrites one narrow row per write, where a
/// row per event cost a rewrite of every ~500-byte event (and the vacuum of the old versions), the
/// larger part of PostgreSQL's work for a batch import.
/// </remarks>
public sealed class CatalogEventGroup
{
    /// <summary>Insert order (an identity). Within one subject it is commit order, see <see cref="CatalogEventFeed"/>.</summary>
    public long Seq { get; set; }

    /// <summary>The feed position of the first event; null until the group has been sequenced.</summary>
    public long? FirstPosition { get; set; }

    /// <summary>The feed position of the last event (<see cref="FirstPosition"/> + <see cref="Count"/> - 1).</summary>
    public long? LastPosition { get; set; }

    /// <summary>How many events; kept so numbering never reads the arrays.</summary>
    public int Count { get; set; }

    public required string Type { get; set; }

    public required string Source { get; set; }

    public DateTimeOffset Time { get; set; }

    /// <summary>W3C trace context of the write that recorded the events.</summary>
    public string? TraceParent { get; set; }

    public required Guid[] Ids { get; set; }

    public required string[] Subjects { get; set; }

    /// <summary>Each event's <c>data</c>, as JSON text exactly as the API serialized it.</summary>
    public required string[] Data { get; set; }

    /// <summary>A group of the events one write recorded together; they must share type, source, time and trace.</summary>
    public static CatalogEventGroup Of(IReadOnlyList<CatalogEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("A group holds at least one event.", nameof(events));
        }

        var first = events[0];
        var ids = new Guid[events.Count];
        var subjects = new string[events.Count];
        var data = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Type != first.Type || e.Source != first.Source || e.Time != first.Time || e.TraceParent != first.TraceParent)
            {
                throw new ArgumentException($"Event {i} differs from the first in type, source, time or trace; record it in a group of its own.", nameof(events));
            }

            ids[i] = e.Id;
            subjects[i] = e.Subject;
            data[i] = e.Data;
        }

        return new CatalogEventGroup
        {
            Count = events.Count,
            Type = first.Type,
            Source = first.Source,
            Time = first.Time,
            TraceParent = first.TraceParent,
            Ids = ids,
            Subjects = subjects,
            Data = data,
        };
    }
}
