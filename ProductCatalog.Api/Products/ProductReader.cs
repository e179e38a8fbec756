using Npgsql;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The reads behind a cache miss (by id, by SKU) and the default listing (by name), on Npgsql
/// directly over the data source EF Core uses too. Hand-written because EF Core's query pipeline
/// cost as much CPU as the rest of such a read (profile in docs/performance.md), and these
/// statements never change shape. Filtered and sorted listings, and every write, stay on EF Core.
/// </summary>
/// <remarks>
/// Transient failures are retried with the budget EF Core's retrying strategy has (3 quick retries,
/// then 503). <see cref="Columns"/> is checked against the EF Core model by a unit test, so a
/// renamed column fails a test rather than a request.
/// </remarks>
internal sealed partial class ProductReader(NpgsqlDataSource dataSource, TimeProvider time, ILogger<ProductReader> logger)
{
    public const int MaxRetries = 3;

    /// <summary>In the order of <see cref="ProductResponse"/>'s parameters, then the row version.</summary>
    internal const string Columns = "id, sku, name, description, price, currency, category_id, tags, stock_quantity, is_active, created_at, updated_at, xmin";

    private const string ById = $"SELECT {Columns} FROM {CatalogTables.Products} WHERE id = $1 LIMIT 1";
    private const string BySku = $"SELECT {Columns} FROM {CatalogTables.Products} WHERE sku = $1 LIMIT 1";
    private const string FirstByName = $"SELECT {Columns} FROM {CatalogTables.Products} ORDER BY name, id LIMIT $1";

    // A row-value comparison matches the (name, id) index exactly: one index range scan per page.
    private const string NextByName = $"SELECT {Columns} FROM {CatalogTables.Products} WHERE (name, id) > ($1, $2) ORDER BY name, id LIMIT $3";

    public Task<VersionedProduct?> FindByIdAsync(Guid id, CancellationToken ct) =>
        WithRetriesAsync(static (reader, key, ct) => reader.ReadOneAsync(ById, key, ct), (object)id, ct);

    /// <summary>By the stored (upper-cased) SKU.</summary>
    public Task<VersionedProduct?> FindBySkuAsync(string sku, CancellationToken ct) =>
        WithRetriesAsync(static (reader, key, ct) => reader.ReadOneAsync(BySku, key, ct), (object)sku, ct);

    /// <summary>Up to <paramref name="take"/> products by name, after (<paramref name="afterName"/>, <paramref name="afterId"/>) when given.</summary>
    public Task<List<ProductResponse>> PageByNameAsync(string? afterName, Guid afterId, int take, CancellationToken ct) =>
        WithRetriesAsync(static (reader, page, ct) => reader.PageAsync(page.afterName, page.afterId, page.take, ct), (afterName, afterId, take), ct);

    /// <summary>A statement of another shape (ranked search, facets) with the same retries.</summary>
    public Task<TResult> ReadAsync<TResult>(Func<NpgsqlDataSource, CancellationToken, Task<TResult>> read, CancellationToken ct) =>
        WithRetriesAsync(static (_, state, ct) => state.read(state.dataSource, ct), (read, dataSource), ct);

    // A loop, not a resilience pipeline: the pipeline's layers cost about 4 µs of a 100 µs read (profiled).
    private async Task<TResult> WithRetriesAsync<TState, TResult>(Func<ProductReader, TState, CancellationToken, Task<TResult>> read, TState state, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read(this, state, ct);
            }
            catch (Exception ex) when (attempt <= MaxRetries && DatabaseErrors.IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                await BackOffAsync(ex, attempt, ct);
            }
        }
    }

    /// <summary>100, 200, 400 ms with jitter: under a second in all, as the writes' retries.</summary>
    private Task BackOffAsync(Exception ex, int attempt, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds((50 << attempt) * (0.75 + (Random.Shared.NextDouble() / 2)));
        LogRetry(logger, attempt, MaxRetries, delay.TotalMilliseconds, ex.Message);
        return Task.Delay(delay, time, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A product read failed transiently (attempt {Attempt} of {Retries} retries); retrying in {DelayMs:F0} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, int retries, double delayMs, string reason);

    private async Task<VersionedProduct?> ReadOneAsync(string sql, object key, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new VersionedProduct(Read(reader), reader.GetFieldValue<uint>(12)) : null;
    }

    private async Task<List<ProductResponse>> PageAsync(string? afterName, Guid afterId, int take, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(afterName is null ? FirstByName : NextByName);
        if (afterName is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = afterName });
            command.Parameters.Add(new NpgsqlParameter { Value = afterId });
        }

        command.Parameters.Add(new NpgsqlParameter { Value = take });
        var rows = new List<ProductResponse>(take);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    internal static ProductResponse Read(NpgsqlDataReader row) => new(
        row.GetGuid(0),
        row.GetString(1),
        row.GetString(2),
        row.IsDBNull(3) ? null : row.GetString(3),
        row.GetDecimal(4),
        row.GetString(5),
        row.IsDBNull(6) ? null : row.GetInt32(6),
        row.GetFieldValue<string[]>(7),
        row.GetInt32(8),
        row.GetBoolean(9),
        row.GetFieldValue<DateTimeOffset>(10),
        row.GetFieldValue<DateTimeOffset>(11));
}

public static class ProductReaderExtensions
{
    public static IServiceCollection AddProductReader(this IServiceCollection services) => services.AddSingleton<ProductReader>().AddSingleton<SearchStatistics>();
}
