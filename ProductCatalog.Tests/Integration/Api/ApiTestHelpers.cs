using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>Small helpers so each test reads as the HTTP conversation it checks.</summary>
internal static class ApiTestHelpers
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A SKU no other test uses.</summary>
    public static string UniqueSku(string prefix = "T") => $"{prefix}-{Guid.NewGuid():N}".ToUpperInvariant();

    public static string UniqueName(string prefix) => $"{prefix} {Guid.NewGuid():N}";

    public static JsonObject Product(string? sku = null, string name = "Test product", decimal price = 10m, int? categoryId = null, int stock = 0) => new()
    {
        ["sku"] = sku ?? UniqueSku(),
        ["name"] = name,
        ["price"] = price,
        ["categoryId"] = categoryId,
        ["stockQuantity"] = stock,
    };

    public static StringContent Json(JsonNode body, string mediaType = "application/json") =>
        new(body.ToJsonString(), Encoding.UTF8, mediaType);

    public static StringContent Raw(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> CreateProductAsync(this HttpClient client, JsonObject body)
    {
        using var response = await client.PostAsync("/api/v1/products", Json(body), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static async Task<int> CreateCategoryAsync(this HttpClient client, string? name = null)
    {
        using var response = await client.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = name ?? UniqueName("Category") }), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();
    }

    public static async Task<JsonElement> BodyAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    /// <summary>Asserts the contract's error shape: an RFC 9457 problem with type, title, status, detail and traceId.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        foreach (var member in new[] { "type", "title", "detail", "traceId" })
        {
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty(member).GetString()), $"problem member '{member}' is empty: {text}");
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Npgsql", text, StringComparison.Ordinal);
        return problem;
    }

    public static async Task<JsonElement> AssertValidationProblemAsync(this HttpResponseMessage response, params string[] fields)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for '{field}' in {errors}");
        }

        return problem;
    }

    public static async Task<int> CountProductsAsync(CatalogAppFixture fixture, string skuPrefix)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM products WHERE sku LIKE $1", connection)
        {
            Parameters = { new() { Value = skuPrefix.ToUpperInvariant() + "%" } },
        };
        return (int)(long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>POSTs in a trace of its own (the caller's traceparent, no client span); 201 expected.</summary>
    public static async Task<(string TraceId, JsonElement Body)> PostInTraceAsync(this CatalogAppFixture fixture, string path, JsonNode content)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = fixture.App.GetEndpoint(CatalogResourceNames.Api, "http"),
        };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(fixture.SigningKey));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(content) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (traceId, await response.BodyAsync());
    }
}
