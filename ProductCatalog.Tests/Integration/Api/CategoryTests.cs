using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class CategoryTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateApiClient();

    [Fact]
    public async Task Create_get_update_delete_round_trip()
    {
        var name = UniqueName("Round trip");
        using var created = await _client.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = $"  {name}  ", ["description"] = "d" }), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var category = await created.BodyAsync();
        var id = category.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/categories/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(name, category.GetProperty("name").GetString());
        Assert.Equal(0, category.GetProperty("productCount").GetInt32());

        using var fetched = await _client.GetAsync($"/api/v1/categories/{id}", Ct);
        Assert.Equal("d", (await fetched.BodyAsync()).GetProperty("description").GetString());

        using var updated = await _client.PutAsync($"/api/v1/categories/{id}", Json(new JsonObject { ["name"] = name + " renamed" }), Ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(name + " renamed", (await updated.BodyAsync()).GetProperty("name").GetString());

        using var deleted = await _client.DeleteAsync($"/api/v1/categories/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _client.GetAsync($"/api/v1/categories/{id}", Ct);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Names_are_unique_case_insensitively()
    {
        var name = UniqueName("Unique");
        await _client.CreateCategoryAsync(name);
        var otherId = await _client.CreateCategoryAsync();

        using var duplicate = await _client.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = name.ToUpperInvariant() }), Ct);
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);

        using var renamed = await _client.PutAsync($"/api/v1/categories/{otherId}", Json(new JsonObject { ["name"] = name.ToLowerInvariant() }), Ct);
        await renamed.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task List_is_sorted_by_name_with_product_counts()
    {
        var token = Guid.NewGuid().ToString("N")[..8];
        var b = await _client.CreateCategoryAsync($"{token} b");
        var a = await _client.CreateCategoryAsync($"{token} A");
        await _client.CreateProductAsync(Product(categoryId: b));
        await _client.CreateProductAsync(Product(categoryId: b));

        using var response = await _client.GetAsync("/api/v1/categories", Ct);

        var mine = (await response.BodyAsync()).EnumerateArray().Where(c => c.GetProperty("name").GetString()!.StartsWith(token, StringComparison.Ordinal)).ToList();
        Assert.Equal([a, b], mine.Select(c => c.GetProperty("id").GetInt32()));
        Assert.Equal([0, 2], mine.Select(c => c.GetProperty("productCount").GetInt32()));
    }

    [Fact]
    public async Task A_category_in_use_cannot_be_deleted()
    {
        var id = await _client.CreateCategoryAsync();
        await _client.CreateProductAsync(Product(categoryId: id));

        using var response = await _client.DeleteAsync($"/api/v1/categories/{id}", Ct);

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Errors_400_and_404()
    {
        using (var empty = await _client.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = " " }), Ct))
        {
            await empty.AssertValidationProblemAsync("name");
        }

        using (var longDescription = await _client.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = UniqueName("x"), ["description"] = new string('d', 1001) }), Ct))
        {
            await longDescription.AssertValidationProblemAsync("description");
        }

        using (var missing = await _client.GetAsync("/api/v1/categories/2147483647", Ct))
        {
            await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var updateMissing = await _client.PutAsync("/api/v1/categories/2147483647", Json(new JsonObject { ["name"] = UniqueName("x") }), Ct))
        {
            await updateMissing.AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var updateInvalid = await _client.PutAsync("/api/v1/categories/1", Json(new JsonObject { ["name"] = "" }), Ct))
        {
            await updateInvalid.AssertValidationProblemAsync("name");
        }

        using var deleteMissing = await _client.DeleteAsync("/api/v1/categories/2147483647", Ct);
        await deleteMissing.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
