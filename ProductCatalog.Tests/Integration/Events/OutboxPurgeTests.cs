using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// The outbox purge's SQL against a database of its own on the app's PostgreSQL server (migrated
/// like the catalog's), with the clock faked: purging the shared catalog database would delete
/// other tests' events.
/// </summary>
public sealed class OutboxPurgeTests(CatalogAppFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_now);
    private readonly ChangeEventOptions _options = new() { Retention = TimeSpan.FromDays(7), PurgeInterval = TimeSpan.FromMinutes(5) };
    private string _database = "";
    private string _connectionString = "";
    private NpgsqlConnection? _connection;

    private NpgsqlConnection Connection => _connection!;

    public async ValueTask InitializeAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(await fixture.GetDatabaseConnectionStringAsync());
        _database = $"purge_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            await create.ExecuteNonQueryAsync(Ct);
        }

        server.Database = _database;
        server.Pooling = false;
        _connectionString = server.ConnectionString;
        var options = new DbContextOptionsBuilder<CatalogDbContext>()
            .UseNpgsql(_connectionString, npgsql => npgsql.MigrationsHistoryTable(CatalogDataExtensions.MigrationsHistoryTable))
            .Options;
        await using (var db = new CatalogDbContext(options))
        {
            await db.Database.MigrateAsync(Ct);
        }

        _connection = new NpgsqlConnection(_connectionString);
        await _connection.OpenAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_database.Length > 0)
        {
            await using var admin = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
            await admin.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
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

    private ChangeEventPurger Purger() => new(Options.Create(_options), _time, NullLogger<ChangeEventPurger>.Instance);

    /// <summary>One event per age (in days before now), numbered 1..N as the sequencer would.</summary>
    private async Task SequencedEventsAsync(params int[] ageDays)
    {
        for (var i = 0; i < ageDays.Length; i++)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO catalog_events (position, id, type, source, subject, time, data) VALUES ($1, $2, 'catalog.product.created', '/products', $3, $4, '{}')",
                Connection)
            {
                Parameters = { new() { Value = (long)(i + 1) }, new() { Value = Guid.NewGuid() }, new() { Value = $"p{i + 1}" }, new() { Value = s_now.AddDays(-ageDays[i]) } },
            };
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await using var feed = new NpgsqlCommand("UPDATE catalog_event_feed SET sequenced_through = $1 WHERE id = 1", Connection)
        {
            Parameters = { new() { Value = (long)ageDays.Length } },
        };
        Assert.Equal(1, await feed.ExecuteNonQueryAsync(Ct));
    }

    private async Task AssertStateAsync(long purgedThrough, params long[] remaining)
    {
        await using var command = new NpgsqlCommand(
            "SELECT purged_through, (SELECT coalesce(array_agg(position ORDER BY position), '{}') FROM catalog_events) FROM catalog_event_feed WHERE id = 1",
            Connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(purgedThrough, reader.GetInt64(0));
        Assert.Equal(remaining, reader.GetFieldValue<long[]>(1));
    }
}
