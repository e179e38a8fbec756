using Microsoft.Extensions.Options;
using Npgsql;

namespace ProductCatalog.Api.Events;

/// <summary>
/// Deletes the oldest outbox events once they are delivered and older than
/// <see cref="ChangeEventOptions.Retention"/>. Only a prefix of positions goes (up to the first
/// event still retained), so the feed stays gap-free and "older than the retention" is simply
/// "at or below purged_through" for every reader.
/// </summary>
/// <remarks>
/// Delivered means published to the broker when the relay runs; without a relay the feed is the
/// only way out, and an event is delivered as soon as it has a position.
/// </remarks>
public sealed partial class ChangeEventPurger(IOptions<ChangeEventOptions> options, TimeProvider time, ILogger<ChangeEventPurger> logger)
{
    // Whole groups only: a group still partly undelivered or in the retention stays, and
    // purged_through ends where the last deleted group ends.
    internal const string PurgeSql = $"""
        WITH bound AS (
            SELECT LEAST($1, coalesce((SELECT min(first_position) - 1 FROM {CatalogTables.EventGroups} WHERE last_position IS NOT NULL AND time >= $2), $1)) AS through),
        purged AS (
            DELETE FROM {CatalogTables.EventGroups} WHERE last_position <= (SELECT through FROM bound) RETURNING count, last_position)
        UPDATE {CatalogTables.EventFeed} SET purged_through = GREATEST(purged_through, (SELECT coalesce(max(last_position), 0) FROM purged))
        WHERE id = 1
        RETURNING (SELECT coalesce(sum(count), 0) FROM purged)
        """;

    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>Purges at most once per <see cref="ChangeEventOptions.PurgeInterval"/>; returns how many events went.</summary>
    public async Task<long> PurgeIfDueAsync(NpgsqlConnection database, long deliveredThrough, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now - _lastPurge < options.Value.PurgeInterval)
        {
            return 0;
        }

        _lastPurge = now;
        return await PurgeAsync(database, deliveredThrough, ct);
    }

    /// <summary>Deletes the delivered prefix (positions up to <paramref name="deliveredThrough"/>) older than the retention.</summary>
    public async Task<long> PurgeAsync(NpgsqlConnection database, long deliveredThrough, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(PurgeSql, database)
        {
            Parameters = { new() { Value = deliveredThrough }, new() { Value = time.GetUtcNow() - options.Value.Retention } },
        };
        var purged = (long)(await command.ExecuteScalarAsync(ct))!;
        if (purged > 0)
        {
            LogPurged(logger, purged);
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} change events older than the retention period")]
    private static partial void LogPurged(ILogger logger, long count);
}
