using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// A database of its own on the app's PostgreSQL server, migrated like the catalog's, for tests of
/// the outbox's SQL that must not touch (or be touched by) the shared catalog database's events.
/// </summary>
internal sealed class ScratchCatalogDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private readonly string _name;
    private readonly DbContextOptions<CatalogDbContext> _options;

    private ScratchCatalogDatabase(string adminConnectionString, string name, string connectionString, NpgsqlConnection connection)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        Connection = connection;
        _options = new DbContextOptionsBuilder<CatalogDbContext>()
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(CatalogDataExtensions.MigrationsHistoryTable))
            .Options;
    }

    /// <summary>An open connection to the database (no pooling: dropping the database must not wait for it).</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>Creates the database and migrates it to <paramref name="migration"/> (null: the newest).</summary>
    public static async Task<ScratchCatalogDatabase> CreateAsync(CatalogAppFixture fixture, string? migration, CancellationToken ct)
    {
        var admin = await fixture.GetDatabaseConnectionStringAsync();
        var name = $"scratch_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var own = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
        var database = new ScratchCatalogDatabase(admin, name, own, new NpgsqlConnection(own));
        await database.MigrateAsync(migration, ct);
        await database.Connection.OpenAsync(ct);
        return database;
    }

    /// <summary>Migrates up (or down) to <paramref name="migration"/>; null: the newest.</summary>
    public async Task MigrateAsync(string? migration, CancellationToken ct)
    {
        await using var db = new CatalogDbContext(_options);
        await db.GetService<IMigrator>().MigrateAsync(migration, ct);
    }

    /// <summary>
    /// Adds an outbox row of one event per subject (each's <c>data</c> names its subject), numbered
    /// from <paramref name="firstPosition"/> as the sequencer would, or left for the sequencer (null).
    /// </summary>
    public async Task AddGroupAsync(string type, DateTimeOffset time, long? firstPosition, params string[] subjects)
    {
        await using var insert = new NpgsqlCommand(
            $"""
            INSERT INTO {CatalogTables.EventGroups} (first_position, last_position, count, type, source, time, ids, subjects, data)
            VALUES ($1, $1 + $2 - 1, $2, $3, '/api/v1/products', $4, $5, $6, $7::json[])
            """,
            Connection)
        {
            Parameters =
            {
                new() { Value = (object?)firstPosition ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
                new() { Value = subjects.Length },
                new() { Value = type },
                new() { Value = time },
                new() { Value = subjects.Select(_ => Guid.CreateVersion7()).ToArray() },
                new() { Value = subjects },
                new() { Value = subjects.Select(s => $"{{\"subject\":\"{s}\"}}").ToArray() },
            },
        };
        Assert.Equal(1, await insert.ExecuteNonQueryAsync(CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync(CancellationToken.None);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
