using Npgsql;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Gives committed outbox events their feed positions (see <see cref="CatalogEventFeed"/> for
/// why this makes the feed gap-free): under the lock of the feed's bookkeeping row, every
/// committed event without a position is numbered in insert order, continuing from the last
/// position given out. Feed readers and the relay call it before they read; it costs one
/// indexed probe when there is nothing to number.
/// </summary>
public sealed class ChangeEventSequencer(CatalogMetrics metrics)
{
    /// <summary>Numbered per transaction, so one huge backlog does not hold the lock for long.</summary>
    public const int MaxPerRound = 10_000;

    private const string StateSql =
        "SELECT sequenced_through, published_through, purged_through, EXISTS (SELECT 1 FROM catalog_events WHERE position IS NULL) FROM catalog_event_feed WHERE id = 1";

    // A statement of its own, after the lock: READ COMMITTED gives it a snapshot that includes
    // whatever the previous sequencer committed before it released the lock.
    private static readonly string s_numberSql = $"""
        WITH pending AS (
            SELECT seq, row_number() OVER (ORDER BY seq) AS n
            FROM (SELECT seq FROM catalog_events WHERE position IS NULL ORDER BY seq LIMIT {MaxPerRound}) AS p),
        numbered AS (
            UPDATE catalog_events AS e
            SET position = (SELECT sequenced_through FROM catalog_event_feed WHERE id = 1) + pending.n
            FROM pending WHERE e.seq = pending.seq
            RETURNING 1)
        UPDATE catalog_event_feed SET sequenced_through = sequenced_through + (SELECT count(*) FROM numbered)
        WHERE id = 1
        RETURNING sequenced_through, published_through, purged_through, (SELECT count(*) FROM numbered)
        """;

    /// <summary>Numbers what is committed and unnumbered, then returns the feed's bookkeeping.</summary>
    public async Task<FeedState> SequenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        while (true)
        {
            FeedState state;
            bool pending;
            await using (var read = new NpgsqlCommand(StateSql, connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                state = new FeedState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                pending = reader.GetBoolean(3);
            }

            if (!pending)
            {
                return state;
            }

            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM catalog_event_feed WHERE id = 1 FOR UPDATE", connection, transaction))
            {
                await lockRow.ExecuteNonQueryAsync(ct);
            }

            long numbered;
            await using (var number = new NpgsqlCommand(s_numberSql, connection, transaction))
            await using (var reader = await number.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                state = new FeedState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                numbered = reader.GetInt64(3);
            }

            await transaction.CommitAsync(ct);
            metrics.EventsRecorded(numbered);
            if (numbered < MaxPerRound)
            {
                return state;
            }
        }
    }
}

/// <summary>Positions given out, published, and purged (each "1 through N").</summary>
public readonly record struct FeedState(long SequencedThrough, long PublishedThrough, long PurgedThrough);
