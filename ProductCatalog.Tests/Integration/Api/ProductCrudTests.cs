using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class ProductCrudTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    [Fact]
    public async Task Create_returns_201_with_location_etag_and_the_normalized_product()
    {
        var sku = UniqueSku("new").ToLowerInvariant();
        var body = new JsonObject
        {
            ["sku"] = sku,
            ["name"] = "  Trail shoe  ",
            ["description"] = "Line one\nline two",
            ["price"] = 89.9m,
            ["tags"] = new JsonArray("Running", "TRAIL"),
        };

        using var response = await _client.PostAsync("/api/v1/products", Json(body), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var product = await response.BodyAsync();
        var id = product.GetProperty("id").GetGuid();
        Assert.Equal(7, id.Version);
        Assert.Equal($"/api/v1/products/{id}", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(sku.ToUpperInvariant(), product.GetProperty("sku").GetString());
        Assert.Equal("Trail shoe", product.GetProperty("name").GetString());
        Assert.Equal(89.9m, product.GetProperty("price").GetDecimal());
        Assert.Equal("USD", product.GetProperty("currency").GetString());
        Assert.Equal(["running", "trail"], product.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0, product.GetProperty("stockQuantity").GetInt32());
        Assert.True(product.GetProperty("isActive").GetBoolean());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", product.GetProperty("createdAt").GetString());
        Assert.Equal(product.GetProperty("createdAt").GetString(), product.GetProperty("updatedAt").GetString());
    }

    [Fact]
    public async Task Create_reports_every_invalid_field_by_its_json_name()
    {
        var body = new JsonObject
        {
            ["sku"] = "has space",
            ["name"] = "   ",
            ["price"] = 1.234m,
            ["currency"] = "usd",
            ["categoryId"] = 0,
            ["tags"] = new JsonArray("ok", "OK", ""),
            ["stockQuantity"] = -1,
        };

        using var response = await _client.PostAsync("/api/v1/products", Json(body), Ct);

        await response.AssertValidationProblemAsync("sku", "name", "price", "currency", "categoryId", "tags[1]", "tags[2]", "stockQuantity");
    }

    [Theory]
    [InlineData("""{"sku":"X1","name":"n","price":1,"unknown":true}""", "unknown")]
    [InlineData("""{"sku":"X1","name":"n","price":"1"}""", "price")]
    [InlineData("""{"sku":"X1","name":"n","price":1e400}""", "price")]
    [InlineData("""{"sku":"X1","name":"n","price":1,"stockQuantity":3000000000}""", "stockQuantity")]
    [InlineData("""{"sku":"X1","name":"n","price":1,"id":"01a20f48-4fe4-71d3-b764-0222aaeb5238"}""", "id")]
    [InlineData("""{"sku":"X1","name":""", "name")]
    [InlineData("""[1,2]""", "$")]
    public async Task Unreadable_bodies_are_400_problems_naming_the_field(string json, string field)
    {
        using var response = await _client.PostAsync("/api/v1/products", Raw(json), Ct);

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task Missing_required_fields_are_named()
    {
        using var response = await _client.PostAsync("/api/v1/products", Raw("{}"), Ct);

        await response.AssertValidationProblemAsync("sku", "name", "price");
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        using var response = await _client.PostAsync("/api/v1/products", Raw("sku=1", "application/x-www-form-urlencoded"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Duplicate_sku_is_409_whatever_its_case()
    {
        var sku = UniqueSku("dup");
        await _client.CreateProductAsync(Product(sku));

        using var response = await _client.PostAsync("/api/v1/products", Json(Product(sku.ToLowerInvariant())), Ct);

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Unknown_category_is_400_on_categoryId()
    {
        using var response = await _client.PostAsync("/api/v1/products", Json(Product(categoryId: int.MaxValue)), Ct);

        await response.AssertValidationProblemAsync("categoryId");
    }

    [Fact]
    public async Task Get_by_id_returns_the_product_with_an_etag_and_304_when_it_matches()
    {
        var created = await _client.CreateProductAsync(Product());
        var id = created.GetProperty("id").GetGuid();

        using var first = await _client.GetAsync($"/api/v1/products/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(created.GetProperty("sku").GetString(), (await first.BodyAsync()).GetProperty("sku").GetString());
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{id}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/products/{id}");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var modified = await _client.SendAsync(stale, Ct);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/products/01a20f48-4fe4-71d3-b764-0222aaeb5238")]
    [InlineData("/api/v1/products/not-a-uuid")]
    [InlineData("/api/v1/products/by-sku/NO-SUCH-SKU-ANYWHERE")]
    [InlineData("/api/v1/products/by-sku/bad%20sku%27%3B--")]
    public async Task Unknown_products_are_404_problems(string path)
    {
        using var response = await _client.GetAsync(path, Ct);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_by_sku_is_case_insensitive_and_has_an_etag()
    {
        var sku = UniqueSku("bysku");
        var created = await _client.CreateProductAsync(Product(sku));

        using var response = await _client.GetAsync($"/api/v1/products/by-sku/{sku.ToLowerInvariant()}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created.GetProperty("id").GetGuid(), (await response.BodyAsync()).GetProperty("id").GetGuid());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Put_replaces_all_writable_fields_and_changes_the_etag()
    {
        using var created = await _client.PostAsync("/api/v1/products", Json(Product(stock: 5)), Ct);
        var product = await created.BodyAsync();
        var id = product.GetProperty("id").GetGuid();
        var newSku = UniqueSku("put");

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}")
        {
            Content = Json(new JsonObject { ["sku"] = newSku, ["name"] = "Renamed", ["price"] = 20.25m, ["currency"] = "EUR" }),
        };
        request.Headers.IfMatch.Add(created.Headers.ETag!);
        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(created.Headers.ETag, response.Headers.ETag);
        var replaced = await response.BodyAsync();
        Assert.Equal(newSku, replaced.GetProperty("sku").GetString());
        Assert.Equal("EUR", replaced.GetProperty("currency").GetString());
        Assert.Equal(0, replaced.GetProperty("stockQuantity").GetInt32()); // full replace: omitted means default
        Assert.Equal(product.GetProperty("createdAt").GetString(), replaced.GetProperty("createdAt").GetString());
    }

    [Fact]
    public async Task Put_errors_404_400_409_and_412()
    {
        var other = await _client.CreateProductAsync(Product());
        using var created = await _client.PostAsync("/api/v1/products", Json(Product()), Ct);
        var id = (await created.BodyAsync()).GetProperty("id").GetGuid();

        using (var missing = await _client.PutAsync($"/api/v1/products/{Guid.CreateVersion7()}", Json(Product()), Ct))
        {
            await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var invalid = await _client.PutAsync($"/api/v1/products/{id}", Json(Product(price: -1)), Ct))
        {
            await invalid.AssertValidationProblemAsync("price");
        }

        using (var duplicate = await _client.PutAsync($"/api/v1/products/{id}", Json(Product(other.GetProperty("sku").GetString())), Ct))
        {
            await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{id}") { Content = Json(Product()) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"12345\""));
        using var precondition = await _client.SendAsync(stale, Ct);
        await precondition.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Patch_merges_only_the_given_fields()
    {
        var created = await _client.CreateProductAsync(new JsonObject
        {
            ["sku"] = UniqueSku("patch"),
            ["name"] = "Before",
            ["description"] = "to be removed",
            ["price"] = 5m,
            ["tags"] = new JsonArray("keep"),
            ["stockQuantity"] = 7,
        });
        var id = created.GetProperty("id").GetGuid();

        using var response = await _client.PatchAsync($"/api/v1/products/{id}",
            Json(new JsonObject { ["name"] = "After", ["description"] = null }, "application/merge-patch+json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.BodyAsync();
        Assert.Equal("After", patched.GetProperty("name").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, patched.GetProperty("description").ValueKind);
        Assert.Equal(5m, patched.GetProperty("price").GetDecimal());
        Assert.Equal(7, patched.GetProperty("stockQuantity").GetInt32());
        Assert.Equal(["keep"], patched.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task Patch_errors_415_400_404_409_and_412()
    {
        var other = await _client.CreateProductAsync(Product());
        var id = (await _client.CreateProductAsync(Product())).GetProperty("id").GetGuid();
        var path = $"/api/v1/products/{id}";

        using (var plainJson = await _client.PatchAsync(path, Json(new JsonObject { ["name"] = "x" }), Ct))
        {
            await plainJson.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        }

        using (var nullName = await _client.PatchAsync(path, Json(new JsonObject { ["name"] = null }, "application/merge-patch+json"), Ct))
        {
            await nullName.AssertValidationProblemAsync("name");
        }

        using (var unknown = await _client.PatchAsync(path, Json(new JsonObject { ["colour"] = "red" }, "application/merge-patch+json"), Ct))
        {
            await unknown.AssertValidationProblemAsync("colour");
        }

        using (var notObject = await _client.PatchAsync(path, Raw("[]", "application/merge-patch+json"), Ct))
        {
            await notObject.AssertValidationProblemAsync("$");
        }

        using (var missing = await _client.PatchAsync($"/api/v1/products/{Guid.CreateVersion7()}", Json(new JsonObject { ["name"] = "x" }, "application/merge-patch+json"), Ct))
        {
            await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var duplicate = await _client.PatchAsync(path, Json(new JsonObject { ["sku"] = other.GetProperty("sku").GetString() }, "application/merge-patch+json"), Ct))
        {
            await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(new JsonObject { ["name"] = "x" }, "application/merge-patch+json") };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var precondition = await _client.SendAsync(stale, Ct);
        await precondition.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Delete_is_204_then_404_and_412_with_a_stale_etag()
    {
        using var created = await _client.PostAsync("/api/v1/products", Json(Product()), Ct);
        var id = (await created.BodyAsync()).GetProperty("id").GetGuid();

        using var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/products/{id}");
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using (var precondition = await _client.SendAsync(stale, Ct))
        {
            await precondition.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        }

        using var matching = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/products/{id}");
        matching.Headers.IfMatch.Add(created.Headers.ETag!);
        using (var deleted = await _client.SendAsync(matching, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var again = await _client.DeleteAsync($"/api/v1/products/{id}", Ct);
        await again.AssertProblemAsync(HttpStatusCode.NotFound);
        using var gone = await _client.GetAsync($"/api/v1/products/{id}", Ct);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var huge = new string('x', 2 * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Raw($$"""{"sku":"BIG","name":"n","price":1,"description":"{{huge}}"}""") };

        // The server refuses as soon as it sees Content-Length; without 100-continue the client
        // may still be uploading into the closed socket and see a broken pipe instead of the 413.
        request.Headers.ExpectContinue = true;
        using var response = await _client.SendAsync(request, Ct);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }
}
