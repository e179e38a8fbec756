namespace ProductCatalog.Data;

/// <summary>
/// The outbox's one bookkeeping row. Positions 1..<see cref="SequencedThrough"/> have been given
/// out; the relay has published 1..<see cref="PublishedThrough"/>; 1..<see cref="PurgedThrough"/>
/// were deleted after the retention period.
/// </summary>
/// <remarks>
/// Sequencing locks this row, then numbers the events of every committed group that has no
/// positions yet, in <see cref="CatalogEventGroup.Seq"/> order. Because a sequencer only sees committed events and the
/// next sequencer only starts after this one committed, a position becomes visible only after
/// every smaller position is visible: a reader following positions never skips one. Every write
/// records its event after it holds the changed row's lock (or after an optimistic-concurrency
/// read that its UPDATE re-checks), so two events of one subject get their Seq, and therefore
/// their positions, in commit order.
/// </remarks>
public sealed class CatalogEventFeed
{
    public const int SingletonId = 1;

    public int Id { get; set; }

    public long SequencedThrough { get; set; }

    public long PublishedThrough { get; set; }

    public long PurgedThrough { get; set; }
}
