using Npgsql;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Gives committed outbox events their feed positions (see <see cref="CatalogEventFeed"/> for
/// why this makes the feed gap-free): under the lock of the feed's bookkeeping row, every
/// committed group without positions is numbered in insert order, its events consecutively,
/// continuing from the last position given out. Feed readers and the relay call it before they
/// read; it costs one indexed probe when there is nothing to number.
/// </summary>
public sealed class ChangeEventSequencer(CatalogMetrics metrics)
{
    /// <summary>Groups numbered per transaction, so one huge backlog does not hold the lock for long.</summary>
    public const int MaxGroupsPerRound = 1_000;

    internal const string LockSql = $"SELECT 1 FROM {CatalogTables.EventFeed} WHERE id = 1 FOR UPDATE";

    internal const string StateSql =
        $"SELECT sequenced_through, published_through, purged_through, EXISTS (SELECT 1 FROM {CatalogTables.EventGroups} WHERE last_position IS NULL) FROM {CatalogTables.EventFeed} WHERE id = 1";

    // A statement of its own, after the lock: READ COMMITTED gives it a snapshot that includes
    // whatever the previous sequencer committed before it released the lock.
    internal static readonly string NumberSql = $"""
        WITH pending AS (
            SELECT seq, count, sum(count) OVER (ORDER BY seq) AS through
            FROM (SELECT seq, count FROM {CatalogTables.EventGroups} WHERE last_position IS NULL ORDER BY seq LIMIT {MaxGroupsPerRound}) AS p),
        base AS (SELECT sequenced_through FROM {CatalogTables.EventFeed} WHERE id = 1),
        numbered AS (
            UPDATE {CatalogTables.EventGroups} AS g
            SET first_position = base.sequenced_through + pending.through - pending.count + 1,
                last_position = base.sequenced_through + pending.through
            FROM pending, base
            WHERE g.seq = pending.seq
            RETURNING g.count)
        UPDATE {CatalogTables.EventFeed} SET sequenced_through = sequenced_through + (SELECT coalesce(sum(count), 0) FROM numbered)
        WHERE id = 1
        RETURNING sequenced_through, published_through, purged_through, (SELECT coalesce(sum(count), 0) FROM numbered), (SELECT count(*) FROM numbered)
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
            await using (var lockRow = new NpgsqlCommand(LockSql, connection, transaction))
            {
                await lockRow.ExecuteNonQueryAsync(ct);
            }

            long numbered, groups;
            await using (var number = new NpgsqlCommand(NumberSql, connection, transaction))
            await using (var reader = await number.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                state = new FeedState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                numbered = reader.GetInt64(3);
                groups = reader.GetInt64(4);
            }

            await transaction.CommitAsync(ct);
            metrics.EventsRecorded(numbered);
            if (groups < MaxGroupsPerRound)
            {
                return state;
            }
        }
    }
}

/// <summary>Positions given out, published, and purged (each "1 through N").</summary>
public readonly record struct FeedState(long SequencedThrough, long PublishedThrough, long PurgedThrough);
