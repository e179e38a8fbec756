using Npgsql;

namespace ProductCatalog.Api.Events;

/// <summary>
/// The outbox's events one by one, in feed-position order: the one query the feed and the relay
/// both read with, unpacking each <see cref="CatalogEventGroup"/> row into its events.
/// </summary>
public static class OutboxEvents
{
    // The groups a page needs, in position order: a running count of the events each has after $1
    // stops at the page's limit, and each group is cut to the slice of its arrays the page takes
    // (lo..hi, 1-based). The events are unpacked here, not with unnest in SQL: ordering unnested
    // rows made PostgreSQL sort every event of every group (48 ms for a page of 500 when it chose
    // to unpack all groups after $1; 3 ms when bounded, still ~6 µs an event).
    /// <summary>The group columns <see cref="ReadAsync"/> reads, in the order it reads them; pinned to the EF Core model by a test.</summary>
    internal const string GroupColumns = "first_position, last_position, count, type, source, time, traceparent, ids, subjects, data";

    internal const string ReadSql = $$"""
        WITH candidates AS (
            SELECT g.*, sum(g.after_count) OVER (ORDER BY g.last_position) - g.after_count AS before_count
            FROM (SELECT {{GroupColumns}},
                         (last_position - greatest(first_position - 1, $1))::integer AS after_count
                  FROM {{CatalogTables.EventGroups}}
                  WHERE last_position > $1 AND ($3::text IS NULL OR type = $3)
                  ORDER BY last_position
                  LIMIT $2) AS g),
        slices AS (
            SELECT c.*, c.count - c.after_count + 1 AS lo, least(c.count, c.count - c.after_count + ($2 - c.before_count)::integer) AS hi
            FROM candidates AS c
            WHERE c.before_count < $2)
        SELECT first_position + lo - 1, type, source, time, traceparent, ids[lo:hi], subjects[lo:hi], data[lo:hi]
        FROM slices
        ORDER BY last_position
        """;

    // The group holding a position is the first whose last position reaches it.
    internal const string RecordedBeforeSql =
        $"SELECT coalesce((SELECT first_position <= $1 AND time < $2 FROM {CatalogTables.EventGroups} WHERE last_position >= $1 ORDER BY last_position LIMIT 1), false)";

    /// <summary>Up to <paramref name="limit"/> sequenced events after position <paramref name="after"/>, optionally of one type.</summary>
    public static async Task<List<CatalogEvent>> ReadAsync(NpgsqlConnection connection, long after, int limit, string? type, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ReadSql, connection)
        {
            Parameters =
            {
                new() { Value = after },
                new() { Value = limit },
                new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
            },
        };
        var events = new List<CatalogEvent>(Math.Min(limit, 1000));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var position = reader.GetInt64(0);
            var eventType = reader.GetString(1);
            var source = reader.GetString(2);
            var time = reader.GetFieldValue<DateTimeOffset>(3);
            var traceParent = reader.IsDBNull(4) ? null : reader.GetString(4);
            var ids = reader.GetFieldValue<Guid[]>(5);
            var subjects = reader.GetFieldValue<string[]>(6);
            var data = reader.GetFieldValue<string[]>(7);
            for (var i = 0; i < ids.Length; i++)
            {
                events.Add(new CatalogEvent
                {
                    Position = position + i,
                    Id = ids[i],
                    Type = eventType,
                    Source = source,
                    Subject = subjects[i],
                    Time = time,
                    Data = data[i],
                    TraceParent = traceParent,
                });
            }
        }

        return events;
    }

    /// <summary>Whether the event at <paramref name="position"/> was recorded before <paramref name="cutoff"/>.</summary>
    public static async Task<bool> RecordedBeforeAsync(NpgsqlConnection connection, long position, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(RecordedBeforeSql, connection)
        {
            Parameters = { new() { Value = position }, new() { Value = cutoff } },
        };
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
