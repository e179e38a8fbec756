using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// The outbox keeps a row per write (<see cref="CatalogEventGroup"/>) and the feed and the relay
/// read event by event: numbering, reading across group boundaries, and the migration from the
/// row-per-event outbox, each against a database of its own (<see cref="ScratchCatalogDatabase"/>).
/// </summary>
public sealed class OutboxGroupTests(CatalogAppFixture fixture) : IAsyncDisposable
{
    /// <summary>The migration before the outbox kept a row per write.</summary>
    private const string RowPerEventMigration = "20261125170951_ProductInsertStatementNotifications";

    private static readonly DateTimeOffset s_time = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddSingleton(TimeProvider.System).AddSingleton<CatalogMetrics>().BuildServiceProvider();
    private ScratchCatalogDatabase? _database;

    [Fact]
    public async Task Groups_are_numbered_in_insert_order_each_event_its_own_position_and_read_across_group_boundaries()
    {
        _database = await ScratchCatalogDatabase.CreateAsync(fixture, migration: null, Ct);
        await _database.AddGroupAsync(ChangeEventTypes.ProductCreated, s_time, null, "a", "b", "c");
        await _database.AddGroupAsync(ChangeEventTypes.ProductUpdated, s_time, null, "a");
        await _database.AddGroupAsync(ChangeEventTypes.ProductCreated, s_time, null, "d", "e");

        var state = await new ChangeEventSequencer(_services.GetRequiredService<CatalogMetrics>()).SequenceAsync(_database.Connection, Ct);
        Assert.Equal(6, state.SequencedThrough);

        var all = await OutboxEvents.ReadAsync(_database.Connection, 0, 100, type: null, Ct);
        Assert.Equal([1L, 2, 3, 4, 5, 6], all.Select(e => e.Position!.Value));
        Assert.Equal(["a", "b", "c", "a", "d", "e"], all.Select(e => e.Subject));
        Assert.Equal(["{\"subject\":\"a\"}", "{\"subject\":\"b\"}"], all.Take(2).Select(e => e.Data));
        Assert.Equal(6, all.Select(e => e.Id).Distinct().Count());

        // A page may end inside a group; the next starts right after it.
        var page = await OutboxEvents.ReadAsync(_database.Connection, 2, 3, type: null, Ct);
        Assert.Equal([3L, 4, 5], page.Select(e => e.Position!.Value));
        page = await OutboxEvents.ReadAsync(_database.Connection, 5, 3, type: null, Ct);
        Assert.Equal([6L], page.Select(e => e.Position!.Value));

        var created = await OutboxEvents.ReadAsync(_database.Connection, 1, 100, ChangeEventTypes.ProductCreated, Ct);
        Assert.Equal([2L, 3, 5, 6], created.Select(e => e.Position!.Value));

        Assert.True(await OutboxEvents.RecordedBeforeAsync(_database.Connection, 2, s_time.AddSeconds(1), Ct));
        Assert.False(await OutboxEvents.RecordedBeforeAsync(_database.Connection, 2, s_time, Ct));
        Assert.False(await OutboxEvents.RecordedBeforeAsync(_database.Connection, 7, s_time.AddDays(1), Ct));
    }

    [Fact]
    public async Task A_group_whose_arrays_disagree_with_its_count_is_refused()
    {
        _database = await ScratchCatalogDatabase.CreateAsync(fixture, migration: null, Ct);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {CatalogTables.EventGroups} (count, type, source, time, ids, subjects, data) VALUES (2, 't', 's', now(), ARRAY[gen_random_uuid()], ARRAY['a'], ARRAY['{{}}'::json])",
            _database.Connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync(Ct));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task Migrating_moves_every_event_of_the_row_per_event_outbox_with_its_position()
    {
        _database = await ScratchCatalogDatabase.CreateAsync(fixture, RowPerEventMigration, Ct);
        // Two numbered events and one not yet numbered (its write committed, no reader came since).
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO catalog_events (position, id, type, source, subject, time, data, traceparent) VALUES
                (1, '0193a000-0000-7000-8000-000000000001', 'catalog.product.created', '/products', 'p1', $1, '{"n":1}', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
                (2, '0193a000-0000-7000-8000-000000000002', 'catalog.category.deleted', '/categories', '7', $1, '{"n":2}', NULL),
                (NULL, '0193a000-0000-7000-8000-000000000003', 'catalog.product.deleted', '/products', 'p1', $1, '{"n":3}', NULL)
            """,
            _database.Connection)
        { Parameters = { new() { Value = s_time } } })
        {
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await using (var feed = new NpgsqlCommand($"UPDATE {CatalogTables.EventFeed} SET sequenced_through = 2, published_through = 1 WHERE id = 1", _database.Connection))
        {
            await feed.ExecuteNonQueryAsync(Ct);
        }

        await _database.MigrateAsync(migration: null, Ct);
        var state = await new ChangeEventSequencer(_services.GetRequiredService<CatalogMetrics>()).SequenceAsync(_database.Connection, Ct);

        Assert.Equal(new FeedState(3, 1, 0), state);
        var events = await OutboxEvents.ReadAsync(_database.Connection, 0, 100, type: null, Ct);
        Assert.Equal([1L, 2, 3], events.Select(e => e.Position!.Value));
        Assert.Equal(["p1", "7", "p1"], events.Select(e => e.Subject));
        Assert.Equal(["/products", "/categories", "/products"], events.Select(e => e.Source));
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"], events.Select(e => e.Data));
        Assert.Equal(Guid.Parse("0193a000-0000-7000-8000-000000000002"), events[1].Id);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", events[0].TraceParent);
        Assert.Null(events[1].TraceParent);
        Assert.All(events, e => Assert.Equal(s_time, e.Time));

        // And back: the row-per-event outbox gets every event with its position again.
        await _database.MigrateAsync(RowPerEventMigration, Ct);
        await using var count = new NpgsqlCommand("SELECT string_agg(coalesce(position::text, '-') || ':' || subject, ',' ORDER BY seq) FROM catalog_events", _database.Connection);
        Assert.Equal("1:p1,2:7,3:p1", await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task The_outbox_arrays_are_compressed_with_lz4_where_the_server_has_it_and_with_pglz_after_a_downgrade()
    {
        _database = await ScratchCatalogDatabase.CreateAsync(fixture, migration: null, Ct);

        // Whether this server was built with lz4: the migration keeps pglz on one that was not.
        await using var probe = new NpgsqlCommand("CREATE TEMP TABLE lz4_probe (t text COMPRESSION lz4)", _database.Connection);
        var hasLz4 = true;
        try
        {
            await probe.ExecuteNonQueryAsync(Ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.FeatureNotSupported)
        {
            hasLz4 = false;
        }

        Assert.Equal(hasLz4 ? "l,l" : ",", await CompressionOfArraysAsync());

        // A group written now is stored compressed (a batch import's data is far over the 2 kB threshold) and reads back whole.
        var subjects = Enumerable.Range(0, 1000).Select(i => $"subject-{i:D4}-{new string('x', 100)}").ToArray();
        await _database.AddGroupAsync(ChangeEventTypes.ProductCreated, s_time, firstPosition: 1, subjects);
        await using (var method = new NpgsqlCommand($"SELECT pg_column_compression(data) FROM {CatalogTables.EventGroups}", _database.Connection))
        {
            Assert.Equal(hasLz4 ? "lz4" : "pglz", await method.ExecuteScalarAsync(Ct));
        }

        var events = await OutboxEvents.ReadAsync(_database.Connection, 0, 1000, type: null, Ct);
        Assert.Equal(subjects, events.Select(e => e.Subject));

        await _database.MigrateAsync("20261125224550_ChangeEventGroups", Ct);
        Assert.Equal(",", await CompressionOfArraysAsync());
    }

    /// <summary>pg_attribute.attcompression of data and subjects: 'l' for lz4, empty for the server's default (pglz).</summary>
    private async Task<string?> CompressionOfArraysAsync()
    {
        await using var command = new NpgsqlCommand(
            $"SELECT string_agg(attcompression::text, ',' ORDER BY attname) FROM pg_attribute WHERE attrelid = '{CatalogTables.EventGroups}'::regclass AND attname IN ('data', 'subjects')",
            _database!.Connection);
        return (string?)await command.ExecuteScalarAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await _services.DisposeAsync();
    }
}
