using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Security;

/// <summary>Every write endpoint against every kind of credential.</summary>
public sealed class AuthMatrixTests(CatalogAppFixture fixture)
{
    public enum Credential
    {
        None,
        Expired,
        WrongSignature,
        WrongAudience,
        WrongIssuer,
        MissingScope,
        Good,
    }

    public static TheoryData<string, Credential> Matrix()
    {
        var data = new TheoryData<string, Credential>();
        foreach (var endpoint in new[]
        {
            "POST products", "POST batch", "PUT product", "PATCH product", "DELETE product", "POST stock",
            "POST categories", "PUT category", "DELETE category",
        })
        {
            foreach (var credential in Enum.GetValues<Credential>())
            {
                data.Add(endpoint, credential);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Writes_need_a_valid_token_with_the_write_scope(string endpoint, Credential credential)
    {
        using var setup = fixture.CreateApiClient();
        var productId = (await setup.CreateProductAsync(Product(stock: 5))).GetProperty("id").GetGuid();
        var categoryId = await setup.CreateCategoryAsync();

        using var request = endpoint switch
        {
            "POST products" => new HttpRequestMessage(HttpMethod.Post, "/api/v1/products") { Content = Json(Product()) },
            "POST batch" => new HttpRequestMessage(HttpMethod.Post, "/api/v1/products/batch") { Content = Json(new JsonObject { ["items"] = new JsonArray(Product()) }) },
            "PUT product" => new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{productId}") { Content = Json(Product()) },
            "PATCH product" => new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/products/{productId}") { Content = Json(new JsonObject { ["name"] = "patched" }, "application/merge-patch+json") },
            "DELETE product" => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/products/{productId}"),
            "POST stock" => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/products/{productId}/stock-adjustments") { Content = Json(new JsonObject { ["delta"] = 1 }) },
            "POST categories" => new HttpRequestMessage(HttpMethod.Post, "/api/v1/categories") { Content = Json(new JsonObject { ["name"] = UniqueName("auth") }) },
            "PUT category" => new HttpRequestMessage(HttpMethod.Put, $"/api/v1/categories/{categoryId}") { Content = Json(new JsonObject { ["name"] = UniqueName("auth") }) },
            "DELETE category" => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/categories/{categoryId}"),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };

        var key = fixture.SigningKey;
        var token = credential switch
        {
            Credential.None => null,
            Credential.Expired => TestTokens.Mint(key, expires: DateTime.UtcNow.AddMinutes(-5)),
            Credential.WrongSignature => TestTokens.Mint(new string('k', 48)),
            Credential.WrongAudience => TestTokens.Mint(key, audience: "someone-else"),
            Credential.WrongIssuer => TestTokens.Mint(key, issuer: "https://evil.example"),
            Credential.MissingScope => TestTokens.Mint(key, scope: "catalog.read"),
            _ => TestTokens.Mint(key),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var anonymous = fixture.CreateAnonymousClient();
        using var response = await anonymous.SendAsync(request, Ct);

        switch (credential)
        {
            case Credential.Good:
                Assert.True(response.IsSuccessStatusCode, $"{endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
                break;
            case Credential.MissingScope:
                await response.AssertProblemAsync(HttpStatusCode.Forbidden);
                break;
            default:
                await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
                Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
                break;
        }
    }

    [Fact]
    public async Task Reads_are_anonymous()
    {
        using var anonymous = fixture.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/products", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/categories", Ct)).StatusCode);
    }
}
