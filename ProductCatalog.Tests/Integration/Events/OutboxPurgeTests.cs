using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// The outbox purge's SQL against a database of its own (<see cref="ScratchCatalogDatabase"/>),
/// with the clock faked: purging the shared catalog database would delete other tests' events.
/// </summary>
public sealed class OutboxPurgeTests(CatalogAppFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_now);
    private readonly ChangeEventOptions _options = new() { Retention = TimeSpan.FromDays(7), PurgeInterval = TimeSpan.FromMinutes(5) };
    private ScratchCatalogDatabase? _database;

    private NpgsqlConnection Connection => _database!.Connection;

    public async ValueTask InitializeAsync() => _database = await ScratchCatalogDatabase.CreateAsync(fixture, migration: null, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Only_the_delivered_prefix_older_than_the_retention_is_purged()
    {
        // Positions 1..5 aged 10, 9, 1, 8 and 0 days: 3 is retained, so 4 stays although it is old
        // (the feed never has a hole), and 1 and 2 go once they are delivered.
        await SequencedEventsAsync(10, 9, 1, 8, 0);
        var purger = Purger();

        Assert.Equal(1, await purger.PurgeAsync(Connection, deliveredThrough: 1, Ct));
        await AssertStateAsync(1, 2, 3, 4, 5);

        Assert.Equal(0, await purger.PurgeAsync(Connection, deliveredThrough: 1, Ct));
        Assert.Equal(1, await purger.PurgeAsync(Connection, deliveredThrough: 5, Ct));
        await AssertStateAsync(2, 3, 4, 5);

        // Two days on, 3 (then 3 days old) is still retained; four more days and all but 5 are gone.
        _time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await purger.PurgeAsync(Connection, deliveredThrough: 5, Ct));
        _time.Advance(TimeSpan.FromDays(4) + TimeSpan.FromMinutes(1));
        Assert.Equal(2, await purger.PurgeAsync(Connection, deliveredThrough: 5, Ct));
        await AssertStateAsync(4, 5);
    }

    [Fact]
    public async Task A_purge_runs_at_most_once_per_interval()
    {
        await SequencedEventsAsync(10, 9);
        var purger = Purger();

        Assert.Equal(1, await purger.PurgeIfDueAsync(Connection, deliveredThrough: 1, Ct));
        Assert.Equal(0, await purger.PurgeIfDueAsync(Connection, deliveredThrough: 2, Ct));
        _time.Advance(_options.PurgeInterval);
        Assert.Equal(1, await purger.PurgeIfDueAsync(Connection, deliveredThrough: 2, Ct));
        await AssertStateAsync(2);
    }

    [Fact]
    public async Task Only_whole_groups_are_purged()
    {
        // A batch's group 1..3 and a single event 4, all old: delivered through 2, the group stays
        // whole (its event 3 is not delivered yet); delivered through 4, everything goes.
        await _database!.AddGroupAsync(ChangeEventTypes.ProductCreated, s_now.AddDays(-10), 1, "p1", "p2", "p3");
        await _database!.AddGroupAsync(ChangeEventTypes.ProductCreated, s_now.AddDays(-9), 4, "p4");
        await SetSequencedThroughAsync(4);
        var purger = Purger();

        Assert.Equal(0, await purger.PurgeAsync(Connection, deliveredThrough: 2, Ct));
        await AssertStateAsync(0, 1, 2, 3, 4);
        Assert.Equal(3, await purger.PurgeAsync(Connection, deliveredThrough: 3, Ct));
        await AssertStateAsync(3, 4);
        Assert.Equal(1, await purger.PurgeAsync(Connection, deliveredThrough: 4, Ct));
        await AssertStateAsync(4);
    }

    private ChangeEventPurger Purger() => new(Options.Create(_options), _time, NullLogger<ChangeEventPurger>.Instance);

    /// <summary>One event per age (in days before now), each a group of one, numbered 1..N as the sequencer would.</summary>
    private async Task SequencedEventsAsync(params int[] ageDays)
    {
        for (var i = 0; i < ageDays.Length; i++)
        {
            await _database!.AddGroupAsync(ChangeEventTypes.ProductCreated, s_now.AddDays(-ageDays[i]), i + 1, $"p{i + 1}");
        }

        await SetSequencedThroughAsync(ageDays.Length);
    }

    private async Task SetSequencedThroughAsync(long through)
    {
        await using var feed = new NpgsqlCommand($"UPDATE {CatalogTables.EventFeed} SET sequenced_through = $1 WHERE id = 1", Connection)
        {
            Parameters = { new() { Value = through } },
        };
        Assert.Equal(1, await feed.ExecuteNonQueryAsync(Ct));
    }

    private async Task AssertStateAsync(long purgedThrough, params long[] remaining)
    {
        await using var command = new NpgsqlCommand(
            $$"""
            SELECT purged_through,
                   (SELECT coalesce(array_agg(g.first_position + n - 1 ORDER BY g.first_position, n), '{}')
                    FROM {{CatalogTables.EventGroups}} AS g CROSS JOIN LATERAL generate_series(1, g.count) AS n)
            FROM {{CatalogTables.EventFeed}} WHERE id = 1
            """,
            Connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(purgedThrough, reader.GetInt64(0));
        Assert.Equal(remaining, reader.GetFieldValue<long[]>(1));
    }
}
