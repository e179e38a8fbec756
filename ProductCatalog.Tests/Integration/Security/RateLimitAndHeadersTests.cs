using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Security;

public sealed class RateLimitAndHeadersTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task A_client_over_its_write_limit_gets_429_with_retry_after_and_others_are_unaffected()
    {
        using var greedy = fixture.CreateApiClient();
        var statuses = new List<HttpResponseMessage>();
        try
        {
            // The default bucket holds 200 writes; invalid bodies keep the database out of it.
            for (var i = 0; i < 40 && !statuses.Any(r => r.StatusCode == HttpStatusCode.TooManyRequests); i++)
            {
                statuses.AddRange(await Task.WhenAll(Enumerable.Range(0, 25).Select(_ =>
                    greedy.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = "" }), Ct))));
            }

            var limited = statuses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.NotNull(limited);
            await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);

            using var other = fixture.CreateApiClient();
            using var unaffected = await other.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = "" }), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, unaffected.StatusCode);
        }
        finally
        {
            statuses.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        using var client = fixture.CreateAnonymousClient();
        using var response = await client.GetAsync("/api/v1/products?limit=1", Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
