using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Changes;

/// <summary>
/// The database announces committed changes (row triggers + NOTIFY) and a listener in this test
/// process hears them: API writes, the batch import's COPY, rolled-back writes (never), categories.
/// </summary>
public sealed class CatalogChangeNotificationsTests(CatalogAppFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    private readonly HttpClient _client = fixture.CreateApiClient();
    private readonly RecordingSubscriber _recorded = new();
    private CatalogChangeNotifications? _listener;

    private CatalogChangeNotifications Listener => _listener!;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("ConnectionStrings:catalogdb", await fixture.GetDatabaseConnectionStringAsync())])
            .Build();
        _listener = new CatalogChangeNotifications(configuration, [_recorded], TimeProvider.System, NullLogger<CatalogChangeNotifications>.Instance);
        var subscribed = _listener.WaitForNextAsync(Ct);
        await _listener.StartAsync(Ct);
        await subscribed.WaitAsync(s_wait, Ct);
        Assert.True(_listener.IsSubscribed);
        Assert.Equal(1, _recorded.Subscriptions);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.StopAsync(CancellationToken.None);
            _listener.Dispose();
        }

        _recorded.Dispose();
    }

    [Fact]
    public async Task Create_replace_with_new_sku_and_delete_are_announced_with_the_keys_to_evict()
    {
        var sku = UniqueSku("CN");
        var next = Listener.WaitForNextAsync(Ct);
        var before = DateTimeOffset.UtcNow;
        var id = (await _client.CreateProductAsync(Product(sku: sku))).GetProperty("id").GetGuid();
        await next.WaitAsync(s_wait, Ct);

        var created = await _recorded.WaitForAsync(c => c.Id == id.ToString() && c.Operation == "insert");
        Assert.Equal(CatalogChange.ProductKind, created.Kind);
        Assert.Equal([sku], created.Skus);
        Assert.InRange(created.ChangedAt, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

        var newSku = UniqueSku("CN");
        using (var put = await _client.PutAsync($"/api/v1/products/{id}", Json(Product(sku: newSku)), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var replaced = await _recorded.WaitForAsync(c => c.Id == id.ToString() && c.Operation == "update");
        Assert.Equal([sku, newSku], replaced.Skus);

        using (var deleted = await _client.DeleteAsync($"/api/v1/products/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var gone = await _recorded.WaitForAsync(c => c.Id == id.ToString() && c.Operation == "delete");
        Assert.Equal([newSku], gone.Skus);
    }

    [Fact]
    public async Task Every_item_of_a_batch_import_is_announced_once_with_its_id_and_sku()
    {
        // More rows than one notification carries (the insert trigger sends them in chunks).
        var prefix = UniqueSku("CNB");
        var items = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode)Product($"{prefix}-{i:D3}")).ToArray());
        using var response = await _client.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ids = (await response.BodyAsync()).GetProperty("ids").EnumerateArray().Select(e => e.GetString()!).ToArray();

        for (var i = 0; i < ids.Length; i++)
        {
            var sku = $"{prefix}-{i:D3}";
            var change = await _recorded.WaitForAsync(c => c.Operation == "insert" && c.Skus.Contains(sku));
            Assert.Equal(ids[i], change.Id);
            Assert.Equal([sku], change.Skus);
        }

        Assert.Equal(ids.Length, _recorded.Changes.Count(c => c.Operation == "insert" && c.Skus.Any(s => s.StartsWith(prefix, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_rolled_back_change_is_never_announced_and_a_category_change_is()
    {
        var sku = UniqueSku("CNR");
        var id = (await _client.CreateProductAsync(Product(sku: sku))).GetProperty("id").GetGuid();
        await _recorded.WaitForAsync(c => c.Id == id.ToString());

        await using (var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync()))
        {
            await connection.OpenAsync(Ct);
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            await using var update = new NpgsqlCommand("UPDATE products SET name = 'rolled back' WHERE id = @id", connection, transaction);
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
            await transaction.RollbackAsync(Ct);
        }

        // A later committed change is announced after anything committed before it: once it is
        // here, the rolled-back update would have been too.
        var categoryId = await _client.CreateCategoryAsync();
        var category = await _recorded.WaitForAsync(c => c.Kind == CatalogChange.CategoryKind && c.Id == categoryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("insert", category.Operation);
        Assert.DoesNotContain(_recorded.Changes, c => c.Id == id.ToString() && c.Operation == "update");
    }

    private sealed class RecordingSubscriber : ICatalogChangeSubscriber, IDisposable
    {
        private readonly ConcurrentQueue<CatalogChange> _changes = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public int Subscriptions { get; private set; }

        public IEnumerable<CatalogChange> Changes => _changes;

        public void OnSubscribed() => Subscriptions++;

        public void OnUnsubscribed()
        {
        }

        public void Dispose() => _arrived.Dispose();

        public void OnChange(CatalogChange change)
        {
            _changes.Enqueue(change);
            _arrived.Release();
        }

        public async Task<CatalogChange> WaitForAsync(Func<CatalogChange, bool> match)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(s_wait);
            while (true)
            {
                if (_changes.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                await _arrived.WaitAsync(timeout.Token);
            }
        }
    }
}
