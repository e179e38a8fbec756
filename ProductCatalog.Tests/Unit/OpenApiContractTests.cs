using System.Net;
using System.Text;

namespace ProductCatalog.Tests.Unit;

/// <summary>
/// The response checker every integration test's client uses, against the committed document:
/// it must reject what the document does not promise, or the suite's green means nothing.
/// </summary>
public sealed class OpenApiContractTests
{
    private static readonly Lazy<OpenApiContract> s_contract = new(() =>
        new OpenApiContract(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "ProductCatalog.Api", "ProductCatalog.Api.json"))));

    private const string ProductJson =
        """{"id":"019a0000-0000-7000-8000-000000000001","sku":"A-1","name":"n","description":null,"price":10.5,"currency":"USD","categoryId":null,"tags":[],"stockQuantity":0,"isActive":true,"createdAt":"2026-11-25T10:00:00.000Z","updatedAt":"2026-11-25T10:00:00.000Z"}""";

    private const string NotFoundJson =
        """{"type":"urn:productcatalog:problem:not-found","title":"Not found","status":404,"detail":"No product.","traceId":"00-abc-def-00"}""";

    [Fact]
    public void A_response_as_documented_passes()
    {
        Assert.Empty(Check(HttpMethod.Get, "/api/v1/products/019a0000-0000-7000-8000-000000000001", HttpStatusCode.OK, ProductJson, etag: "\"42\""));
        Assert.Empty(Check(HttpMethod.Get, "/api/v1/products/by-sku/A-1", HttpStatusCode.NotFound, NotFoundJson, "application/problem+json"));
        Assert.Empty(Check(HttpMethod.Get, "/health", HttpStatusCode.ServiceUnavailable, "Unhealthy", "text/plain"));
    }

    [Fact]
    public void An_undeclared_status_fails()
    {
        var violations = Check(HttpMethod.Get, "/api/v1/categories", HttpStatusCode.Conflict, NotFoundJson.Replace("404", "409", StringComparison.Ordinal), "application/problem+json");
        Assert.Contains(violations, v => v.Contains("status 409 is not declared", StringComparison.Ordinal));
    }

    [Fact]
    public void A_body_that_does_not_match_the_schema_fails()
    {
        Assert.NotEmpty(Check(HttpMethod.Get, "/api/v1/products/019a0000-0000-7000-8000-000000000001", HttpStatusCode.OK,
            ProductJson.Replace("\"price\":10.5", "\"price\":\"10.5\"", StringComparison.Ordinal), etag: "\"1\""));
        Assert.NotEmpty(Check(HttpMethod.Get, "/api/v1/products/019a0000-0000-7000-8000-000000000001", HttpStatusCode.OK,
            ProductJson.Replace("\"name\":\"n\",", "", StringComparison.Ordinal), etag: "\"1\""));
        Assert.NotEmpty(Check(HttpMethod.Get, "/api/v1/products/by-sku/A-1", HttpStatusCode.NotFound,
            NotFoundJson.Replace(",\"traceId\":\"00-abc-def-00\"", "", StringComparison.Ordinal), "application/problem+json"));
        Assert.NotEmpty(Check(HttpMethod.Get, "/api/v1/products/by-sku/A-1", HttpStatusCode.NotFound,
            NotFoundJson.Replace("}", ",\"stackTrace\":\"at X\"}", StringComparison.Ordinal), "application/problem+json"));
    }

    [Fact]
    public void A_missing_or_malformed_declared_header_fails()
    {
        var product = "/api/v1/products/019a0000-0000-7000-8000-000000000001";
        Assert.Contains(Check(HttpMethod.Get, product, HttpStatusCode.OK, ProductJson), v => v.Contains("required header ETag is missing", StringComparison.Ordinal));
        Assert.Contains(Check(HttpMethod.Get, product, HttpStatusCode.OK, ProductJson, etag: "W/\"abc\""), v => v.Contains("header ETag", StringComparison.Ordinal));
    }

    [Fact]
    public void An_undeclared_content_type_or_a_body_where_none_is_declared_fails()
    {
        var product = "/api/v1/products/019a0000-0000-7000-8000-000000000001";
        Assert.NotEmpty(Check(HttpMethod.Get, product, HttpStatusCode.NotFound, NotFoundJson, "text/html"));
        Assert.NotEmpty(Check(HttpMethod.Get, product, HttpStatusCode.NotModified, ProductJson, etag: "\"1\""));
        Assert.NotEmpty(Check(HttpMethod.Get, "/api/v1/nothing-here", HttpStatusCode.NotFound, NotFoundJson, "application/problem+json"));
    }

    private static IReadOnlyList<string> Check(HttpMethod method, string path, HttpStatusCode status, string body, string mediaType = "application/json", string? etag = null)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        if (etag is not null)
        {
            response.Headers.TryAddWithoutValidation("ETag", etag);
        }

        return s_contract.Value.Check(method, path, response, Encoding.UTF8.GetBytes(body));
    }
}
