using Npgsql;

namespace ProductCatalog.Tests.Integration;

public sealed class MigrationWorkerTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Running_the_worker_again_is_harmless()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await fixture.GetDatabaseConnectionStringAsync();
        var before = await SnapshotAsync(connectionString, ct);

        var (exitCode, output) = await MigrationWorkerProcess.RunAsync(connectionString, ct);

        Assert.True(exitCode == 0, output);
        Assert.Equal(before, await SnapshotAsync(connectionString, ct));
    }

    [Fact]
    public async Task Worker_exits_non_zero_when_the_database_is_unreachable()
    {
        var ct = TestContext.Current.CancellationToken;

        // Port 1 on loopback refuses at once.
        var (exitCode, output) = await MigrationWorkerProcess.RunAsync(
            "Host=127.0.0.1;Port=1;Username=postgres;Password=unused;Database=catalogdb;Timeout=3", ct);

        Assert.True(exitCode != 0, $"expected a non-zero exit code; output:\n{output}");
        Assert.Contains("Catalog database migration failed", output, StringComparison.Ordinal);
    }

    private static async Task<string> SnapshotAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT string_agg("MigrationId", ',' ORDER BY "MigrationId") FROM __ef_migrations_history)
                || '|' || (SELECT count(*) FROM products WHERE sku LIKE 'SAMPLE-%')
                || '|' || (SELECT count(*) FROM categories WHERE name IN ('Outdoor', 'Kitchen', 'Books'))
            """, connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }
}
