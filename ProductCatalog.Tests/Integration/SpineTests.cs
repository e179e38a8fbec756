using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace ProductCatalog.Tests.Integration;

public sealed class SpineTests(CatalogAppFixture fixture)
{
    [Fact]
    public void Migration_worker_finished_with_exit_code_zero()
    {
        Assert.Equal(0, fixture.MigrationsExitCode);
    }

    [Fact]
    public async Task Api_is_healthy_and_alive()
    {
        using var client = fixture.CreateApiClient();
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", ct)).StatusCode);
    }

    [Fact]
    public async Task A_row_written_to_PostgreSQL_is_read_back_through_the_api()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.CreateVersion7();
        var sku = $"SPINE-{id:N}".ToUpperInvariant();

        await using (var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync()))
        {
            await connection.OpenAsync(ct);
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO products (id, sku, name, price, currency, tags, stock_quantity, is_active, created_at, updated_at)
                VALUES ($1, $2, 'Spine check', 12.34, 'EUR', ARRAY['spine'], 3, true, now(), now())
                """, connection)
            {
                Parameters = { new() { Value = id }, new() { Value = sku } },
            };
            await insert.ExecuteNonQueryAsync(ct);
        }

        using var client = fixture.CreateApiClient();
        using var response = await client.GetAsync($"/api/v1/products/{id}", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal(sku, body.GetProperty("sku").GetString());
        Assert.Equal(12.34m, body.GetProperty("price").GetDecimal());
        Assert.Equal("EUR", body.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Sample_data_was_seeded_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM products WHERE sku LIKE 'SAMPLE-%'", connection);

        Assert.Equal(6L, await count.ExecuteScalarAsync(ct));
    }
}
