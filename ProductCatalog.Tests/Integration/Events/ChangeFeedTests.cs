using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Events;

public sealed class ChangeFeedTests(CatalogAppFixture fixture)
{
    private static readonly TimeSpan s_deliveryTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _writer = fixture.CreateApiClient();
    private readonly EventFeedReader _feed = EventFeedReader.Create(fixture);

    private Task<List<JsonElement>> EventsOfAsync(long after, string subject, int count) =>
        _feed.ReadUntilAsync(after, events => events.Count(e => Subject(e) == subject) >= count, s_deliveryTimeout)
            .ContinueWith(t => t.Result.Where(e => Subject(e) == subject).ToList(), TaskScheduler.Default);

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _writer.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.BodyAsync();
    }

    [Fact]
    public async Task Every_product_write_records_one_event_whose_data_is_the_product_as_GET_returns_it()
    {
        var start = await HeadAsync(fixture);
        var created = await _writer.CreateProductAsync(Product(price: 10.5m, stock: 5));
        var id = created.GetProperty("id").GetGuid();
        var afterCreate = await GetAsync($"/api/v1/products/{id}");

        var put = Product(sku: created.GetProperty("sku").GetString(), name: "Renamed", price: 12m, stock: 5);
        using (var response = await _writer.PutAsync($"/api/v1/products/{id}", Json(put), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var afterPut = await GetAsync($"/api/v1/products/{id}");
        using (var response = await _writer.PatchAsync($"/api/v1/products/{id}", Json(new JsonObject { ["description"] = "Now described", ["tags"] = new JsonArray("a") }, "application/merge-patch+json"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var afterPatch = await GetAsync($"/api/v1/products/{id}");
        using (var response = await _writer.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = -2, ["reason"] = "order 7" }), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var sku = afterPatch.GetProperty("sku").GetString();
        using (var response = await _writer.DeleteAsync($"/api/v1/products/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var events = await EventsOfAsync(start, id.ToString(), 5);

        Assert.Equal(
            ["catalog.product.created", "catalog.product.updated", "catalog.product.updated", "catalog.product.stock-changed", "catalog.product.deleted"],
            events.Select(Type));
        foreach (var e in events)
        {
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
            Assert.Equal("/api/v1/products", e.GetProperty("source").GetString());
            Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
            Assert.True(Guid.TryParse(e.GetProperty("id").GetString(), out _));
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", e.GetProperty("traceparent").GetString());
            Assert.True(e.GetProperty("time").GetDateTimeOffset().Offset == TimeSpan.Zero);
        }

        Assert.Equal(events.Select(Position).Order(), events.Select(Position));
        JsonAssert.Equal(afterCreate, events[0].GetProperty("data"));
        JsonAssert.Equal(WithChanged(afterPut, "name", "price"), events[1].GetProperty("data"));
        JsonAssert.Equal(WithChanged(afterPatch, "description", "tags"), events[2].GetProperty("data"));
        JsonAssert.Equal(
            JsonDocument.Parse($$"""{"productId":"{{id}}","stockQuantity":3,"delta":-2,"reason":"order 7"}""").RootElement,
            events[3].GetProperty("data"));
        JsonAssert.Equal(JsonDocument.Parse($$"""{"id":"{{id}}","sku":"{{sku}}"}""").RootElement, events[4].GetProperty("data"));
    }

    private static JsonElement WithChanged(JsonElement product, params string[] changed)
    {
        var node = JsonNode.Parse(product.GetRawText())!.AsObject();
        node["changed"] = new JsonArray([.. changed.Select(c => JsonValue.Create(c))]);
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }

    [Fact]
    public async Task A_batch_import_records_one_created_event_per_item_in_item_order()
    {
        var start = await HeadAsync(fixture);
        var items = new JsonArray([.. Enumerable.Range(0, 5).Select(i => (JsonNode)Product(name: $"Batch item {i}", price: i + 0.25m))]);
        using var response = await _writer.PostAsync("/api/v1/products/batch", Json(new JsonObject { ["items"] = items }), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ids = (await response.BodyAsync()).GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();

        var events = await _feed.ReadUntilAsync(start, read => ids.All(id => read.Any(e => Subject(e) == id)), s_deliveryTimeout);

        var mine = events.Where(e => ids.Contains(Subject(e))).ToList();
        Assert.Equal(ids, mine.Select(Subject));
        Assert.All(mine, e => Assert.Equal("catalog.product.created", Type(e)));
        for (var i = 0; i < ids.Count; i++)
        {
            JsonAssert.Equal(await GetAsync($"/api/v1/products/{ids[i]}"), mine[i].GetProperty("data"));
        }
    }

    [Fact]
    public async Task Category_writes_record_created_updated_and_deleted_events()
    {
        var start = await HeadAsync(fixture);
        var id = await _writer.CreateCategoryAsync();
        var created = await GetAsync($"/api/v1/categories/{id}");
        using (var response = await _writer.PutAsync($"/api/v1/categories/{id}", Json(new JsonObject { ["name"] = UniqueName("Renamed"), ["description"] = "d" }), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var updated = await GetAsync($"/api/v1/categories/{id}");
        using (var response = await _writer.DeleteAsync($"/api/v1/categories/{id}", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var events = await EventsOfAsync(start, id.ToString(System.Globalization.CultureInfo.InvariantCulture), 3);

        Assert.Equal(["catalog.category.created", "catalog.category.updated", "catalog.category.deleted"], events.Select(Type));
        Assert.All(events, e => Assert.Equal("/api/v1/categories", e.GetProperty("source").GetString()));
        JsonAssert.Equal(created, events[0].GetProperty("data"));
        JsonAssert.Equal(updated, events[1].GetProperty("data"));
        JsonAssert.Equal(JsonDocument.Parse($$"""{"id":{{id}}}""").RootElement, events[2].GetProperty("data"));
    }

    [Fact]
    public async Task Failed_writes_and_idempotent_replays_record_no_event()
    {
        var start = await HeadAsync(fixture);
        var categoryId = await _writer.CreateCategoryAsync();
        var product = await _writer.CreateProductAsync(Product(categoryId: categoryId, stock: 1));
        var id = product.GetProperty("id").GetGuid();
        var sku = product.GetProperty("sku").GetString()!;

        async Task ExpectAsync(HttpStatusCode status, Func<Task<HttpResponseMessage>> send)
        {
            using var response = await send();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        // 409: duplicate SKU (create, and a batch that contains it), stock below zero, category in use.
        await ExpectAsync(HttpStatusCode.Conflict, () => _writer.PostAsync("/api/v1/products", Json(Product(sku: sku)), Ct));
        await ExpectAsync(HttpStatusCode.Conflict, () => _writer.PostAsync("/api/v1/products/batch",
            Json(new JsonObject { ["items"] = new JsonArray(Product(), Product(sku: sku)) }), Ct));
        await ExpectAsync(HttpStatusCode.Conflict, () => _writer.PostAsync($"/api/v1/products/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = -2 }), Ct));
        await ExpectAsync(HttpStatusCode.Conflict, () => _writer.DeleteAsync($"/api/v1/categories/{categoryId}", Ct));

        // 412: a stale If-Match on replace and on delete.
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}") { Content = Json(Product(sku: sku)) })
        {
            stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
            await ExpectAsync(HttpStatusCode.PreconditionFailed, () => _writer.SendAsync(stale, Ct));
        }

        using (var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/products/{id}"))
        {
            stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
            await ExpectAsync(HttpStatusCode.PreconditionFailed, () => _writer.SendAsync(stale, Ct));
        }

        // 400: a merge patch that removes a required field (computed from the stored product, then rolled back).
        await ExpectAsync(HttpStatusCode.BadRequest, () => _writer.PatchAsync($"/api/v1/products/{id}", Json(new JsonObject { ["name"] = null }, "application/merge-patch+json"), Ct));

        // An idempotent replay returns the first answer and writes nothing; reusing the key for another body is 422.
        var key = Guid.NewGuid().ToString();
        var keyed = Product();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(keyed) };
            request.Headers.Add("Idempotency-Key", key);
            await ExpectAsync(HttpStatusCode.Created, () => _writer.SendAsync(request, Ct));
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(Product()) })
        {
            request.Headers.Add("Idempotency-Key", key);
            await ExpectAsync(HttpStatusCode.UnprocessableEntity, () => _writer.SendAsync(request, Ct));
        }

        // A last successful write: once its event is read, everything before it has been too.
        var marker = await _writer.CreateProductAsync(Product());
        var markerId = marker.GetProperty("id").GetString()!;
        var events = await _feed.ReadUntilAsync(start, read => read.Any(e => Subject(e) == markerId), s_deliveryTimeout);

        var keyedSku = keyed["sku"]!.GetValue<string>().ToUpperInvariant();
        Assert.Equal(["catalog.category.created"], events.Where(e => Subject(e) == categoryId.ToString(System.Globalization.CultureInfo.InvariantCulture)).Select(Type));
        Assert.Equal(["catalog.product.created"], events.Where(e => Subject(e) == id.ToString()).Select(Type));
        Assert.Single(events, e => Type(e) == "catalog.product.created" && e.GetProperty("data").GetProperty("sku").GetString() == keyedSku);
        Assert.DoesNotContain(events, e => Type(e) != "catalog.product.deleted" && e.GetProperty("data").TryGetProperty("sku", out var s)
            && s.GetString() == sku && Subject(e) != id.ToString());
    }

    [Fact]
    public async Task Pages_follow_next_and_the_Link_header_without_skipping_or_repeating()
    {
        var start = await HeadAsync(fixture);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _writer.CreateProductAsync(Product())).GetProperty("id").GetString()!);
        }

        var all = await _feed.ReadUntilAsync(start, read => ids.All(id => read.Any(e => Subject(e) == id)), s_deliveryTimeout);

        var paged = new List<JsonElement>();
        var after = start;
        while (paged.Count < all.Count)
        {
            var page = await _feed.PageAsync($"after={after}&limit=2");
            Assert.InRange(page.Items.Count, 1, 2);
            Assert.Equal($"</api/v1/events?after={page.Next}&limit=2>; rel=\"next\"", page.Link);
            Assert.Equal(Position(page.Items[^1]), page.Next);
            paged.AddRange(page.Items);
            after = page.Next;
        }

        Assert.Equal(all.Select(Position), paged.Take(all.Count).Select(Position));
        Assert.Equal(Enumerable.Range(0, paged.Count).Select(i => start + 1 + i), paged.Select(Position));

        var typed = await _feed.PageAsync($"after={start}&limit=1000&type=catalog.product.created");
        Assert.All(typed.Items, e => Assert.Equal("catalog.product.created", Type(e)));
        Assert.Superset(ids.ToHashSet(), typed.Items.Select(Subject).ToHashSet());
    }

    [Fact]
    public async Task An_empty_wait_returns_after_the_wait_with_next_equal_to_after()
    {
        // A position no one can reach while this test runs is not available; use the head and a type nobody writes here.
        var head = await HeadAsync(fixture);
        var stopwatch = Stopwatch.StartNew();
        var page = await _feed.PageAsync($"after={head}&wait=1&type=catalog.category.deleted&limit=1");
        stopwatch.Stop();

        // Other tests run alongside; if one deleted a category meanwhile, the call rightly returned early with it.
        if (page.Items.Count == 0)
        {
            Assert.Equal(head, page.Next);
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        }
        else
        {
            Assert.All(page.Items, e => Assert.True(Position(e) > head && Type(e) == "catalog.category.deleted"));
            Assert.Equal(Position(page.Items[^1]), page.Next);
        }
    }

    [Theory]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    [InlineData("after=1.5", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("wait=-1", "wait")]
    [InlineData("wait=31", "wait")]
    [InlineData("type=catalog.product.renamed", "type")]
    [InlineData("cursor=1", "cursor")]
    [InlineData("type=a&type=b", "type")]
    public async Task Bad_parameters_are_400_problems_naming_the_parameter(string query, string field)
    {
        using var response = await _feed.Client.GetAsync($"/api/v1/events?{query}", Ct);
        await response.AssertValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("wait=soon")]
    [InlineData("limit=5&limit=6")]
    public async Task Unparseable_numbers_are_400_problems(string query)
    {
        using var response = await _feed.Client.GetAsync($"/api/v1/events?{query}", Ct);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_position_not_given_out_yet_is_a_400_problem()
    {
        using var response = await _feed.Client.GetAsync($"/api/v1/events?after={long.MaxValue}", Ct);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_feed_needs_a_token_with_the_events_scope()
    {
        using var anonymous = fixture.CreateAnonymousClient();
        using (var response = await anonymous.GetAsync("/api/v1/events", Ct))
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        // A writer's token is not a reader's.
        using (var response = await _writer.GetAsync("/api/v1/events", Ct))
        {
            await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        }

        using (var response = await _feed.Client.GetAsync("/api/v1/events?limit=1", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
