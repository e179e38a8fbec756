using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Api;

public sealed class OpenApiTests(CatalogAppFixture fixture)
{
    public static TheoryData<string, string, int[]> ContractRows() => new()
    {
        { "get", "/api/v1/products", [200, 400] },
        { "get", "/api/v1/products/facets", [200, 400] },
        { "get", "/api/v1/products/{id}", [200, 304, 404] },
        { "get", "/api/v1/products/by-sku/{sku}", [200, 304, 404] },
        { "post", "/api/v1/products", [201, 400, 401, 403, 409, 413, 415, 422, 429] },
        { "put", "/api/v1/products/{id}", [200, 400, 401, 403, 404, 409, 412] },
        { "patch", "/api/v1/products/{id}", [200, 400, 401, 403, 404, 409, 412, 415] },
        { "delete", "/api/v1/products/{id}", [204, 401, 403, 404, 412] },
        { "post", "/api/v1/products/{id}/stock-adjustments", [200, 400, 401, 403, 404, 409] },
        { "post", "/api/v1/products/batch", [201, 400, 401, 403, 409, 413, 422] },
        { "get", "/api/v1/categories", [200] },
        { "get", "/api/v1/categories/{id}", [200, 404] },
        { "post", "/api/v1/categories", [201, 400, 401, 403, 409] },
        { "put", "/api/v1/categories/{id}", [200, 400, 401, 403, 404, 409] },
        { "delete", "/api/v1/categories/{id}", [204, 401, 403, 404, 409] },
    };

    [Theory]
    [MemberData(nameof(ContractRows))]
    public async Task The_document_describes_every_contract_row_with_its_responses(string method, string path, int[] statuses)
    {
        var document = await GetDocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        var responses = operation.GetProperty("responses");
        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response), $"{method} {path} lacks {status}");
            if (status >= 400)
            {
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {status} is not a problem");
            }
        }

        // Reads: anonymous, or with any bearer token (a client configured with one sends it everywhere).
        // Writes: only a bearer token with the write scope.
        var security = operation.GetProperty("security").EnumerateArray().ToList();
        if (method == "get")
        {
            Assert.Contains(security, r => !r.EnumerateObject().Any());
            Assert.All(security.Where(r => r.TryGetProperty("Bearer", out _)), r => Assert.Empty(r.GetProperty("Bearer").EnumerateArray()));
        }
        else
        {
            var requirement = Assert.Single(security);
            Assert.Equal(["catalog.write"], requirement.GetProperty("Bearer").EnumerateArray().Select(s => s.GetString()));
        }
    }

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_and_the_listing_parameters()
    {
        var document = await GetDocumentAsync();

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        var parameters = document.GetProperty("paths").GetProperty("/api/v1/products").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "q", "categoryId", "tag", "minPrice", "maxPrice", "isActive", "inStock", "sort", "limit", "cursor" }, parameters);
    }

    [Fact]
    public async Task The_document_lints_with_zero_errors()
    {
        using var client = fixture.CreateAnonymousClient();
        var path = Path.Combine(Path.GetTempPath(), $"productcatalog-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await client.GetStringAsync("/openapi/v1.json", Ct), Ct);
        try
        {
            // Redocly's recommended rules; warnings (e.g. the local server address) are allowed, errors are not.
            var (exitCode, output) = await RunAsync(await MachinePrerequisites.NpxAsync(), ["--yes", "@redocly/cli@2.77.0", "lint", path, "--format=summary"]);

            Assert.True(exitCode == 0, output);
            Assert.Contains("validated", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_committed_document_is_the_live_document()
    {
        using var client = fixture.CreateAnonymousClient();
        var live = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", Ct))!.AsObject();
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedDocument, Ct))!.AsObject();

        // The live document names the address it was fetched from; the committed one cannot know it.
        live.Remove("servers");
        committed.Remove("servers");

        Assert.True(JsonNode.DeepEquals(committed, live),
            $"{CommittedDocument} differs from the live document at {FirstDifference(committed, live, "$")}. "
            + "Build ProductCatalog.Api (it rewrites the file) and commit the result.");
    }

    [Fact]
    public async Task The_committed_document_lints_with_zero_errors_and_zero_warnings()
    {
        // redocly.yaml at the root names the document and the rules; .redocly.lint-ignore.yaml lists,
        // with reasons, the findings kept on purpose.
        var (exitCode, output) = await RunAsync(await MachinePrerequisites.NpxAsync(), ["--yes", "@redocly/cli@2.77.0", "lint", "--format=json"], RepositoryPaths.Root);

        Assert.True(exitCode == 0, output);
        // The JSON report comes first (stdout); npx may append notices after it.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(output[output.IndexOf('{', StringComparison.Ordinal)..]));
        using var report = JsonDocument.ParseValue(ref reader);
        var totals = report.RootElement.GetProperty("totals");
        Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0, output);
    }

    private static string CommittedDocument => Path.Combine(RepositoryPaths.Root, "ProductCatalog.Api", "ProductCatalog.Api.json");

    private static string FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is JsonObject e && actual is JsonObject a)
        {
            foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
            {
                if (!JsonNode.DeepEquals(e[key], a[key]))
                {
                    return FirstDifference(e[key], a[key], $"{path}.{key}");
                }
            }
        }
        else if (expected is JsonArray ea && actual is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
            {
                if (!JsonNode.DeepEquals(ea[i], aa[i]))
                {
                    return FirstDifference(ea[i], aa[i], $"{path}[{i}]");
                }
            }
        }

        return $"{path} (committed: {Excerpt(expected)}, live: {Excerpt(actual)})";
    }

    private static string Excerpt(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "absent";
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    private async Task<JsonElement> GetDocumentAsync()
    {
        using var client = fixture.CreateAnonymousClient();
        return JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct)).RootElement;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        startInfo.Environment["NO_UPDATE_NOTIFIER"] = "1";
        startInfo.Environment["REDOCLY_TELEMETRY"] = "off";
        startInfo.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {program}: is Node.js installed?");
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(5), Ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
