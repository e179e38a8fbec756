using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Models = ProductCatalog.Client.Models;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>
/// A slice of the suite through the Kiota client generated from the committed document, as
/// another team would call the API: typed bodies, typed problems, ETags through headers. Its
/// responses are contract-checked like every other test's.
/// </summary>
public sealed class TypedClientTests(CatalogAppFixture fixture) : IDisposable
{
    // Kiota hands response headers only to this middleware, so it sits outermost in the pipeline.
    private readonly HttpClient _http = fixture.CreateApiClient(new HeadersInspectionHandler());

    private CatalogClient Client => CatalogClientFactory.Create(_http);

    [Fact]
    public async Task Create_get_list_a_page_and_patch_with_if_match()
    {
        var tag = $"typed-{Guid.NewGuid():N}";
        var created = new List<Models.ProductResponse>();
        foreach (var (name, price) in new[] { ("Typed kettle", 24.90m), ("Typed mug", 7.25m), ("Typed teapot", 31.00m) })
        {
            created.Add((await Client.Api.V1.Products.PostAsync(
                new Models.ProductWriteRequest { Sku = UniqueSku("TYPED").ToLowerInvariant(), Name = name, Price = price, Tags = [tag], StockQuantity = 3 },
                cancellationToken: Ct))!);
        }

        var kettle = created[0];
        Assert.Equal(kettle.Sku, kettle.Sku!.ToUpperInvariant());
        Assert.Equal(24.90m, kettle.Price);
        Assert.Equal("USD", kettle.Currency);

        var (got, etag) = await GetWithETagAsync(kettle.Id!.Value);
        Assert.Equal(kettle.Name, got.Name);
        Assert.Equal([tag], got.Tags);

        var page = await Client.Api.V1.Products.GetAsync(c =>
        {
            c.QueryParameters.Tag = tag;
            c.QueryParameters.Sort = ProductCatalog.Client.Api.V1.Products.GetSortQueryParameterType.Minus_price;
            c.QueryParameters.Limit = 2;
        }, Ct);
        Assert.Equal(["Typed teapot", "Typed kettle"], page!.Items!.Select(p => p.Name));
        Assert.NotNull(page.NextCursor);
        var last = await Client.Api.V1.Products.GetAsync(c =>
        {
            c.QueryParameters.Tag = tag;
            c.QueryParameters.Sort = ProductCatalog.Client.Api.V1.Products.GetSortQueryParameterType.Minus_price;
            c.QueryParameters.Limit = 2;
            c.QueryParameters.Cursor = page.NextCursor;
        }, Ct);
        Assert.Equal(["Typed mug"], last!.Items!.Select(p => p.Name));
        Assert.Null(last.NextCursor);

        var patched = await Client.Api.V1.Products[kettle.Id!.Value].PatchAsync(new Models.ProductWriteRequest { Price = 19.99m }, c => c.Headers.Add("If-Match", etag), Ct);
        Assert.Equal(19.99m, patched!.Price);
        Assert.Equal(kettle.Name, patched.Name);
        var (_, newETag) = await GetWithETagAsync(kettle.Id!.Value);
        Assert.NotEqual(etag, newETag);
    }

    [Fact]
    public async Task A_missing_product_and_a_stale_etag_are_typed_problems()
    {
        var missing = await Assert.ThrowsAsync<Models.ProblemDetails>(() => Client.Api.V1.Products[Guid.CreateVersion7()].GetAsync(cancellationToken: Ct));
        Assert.Equal(404, missing.ResponseStatusCode);
        Assert.Equal(404, missing.Status);
        Assert.Equal("urn:productcatalog:problem:not-found", missing.Type);
        Assert.False(string.IsNullOrEmpty(missing.TraceId));

        var product = await Client.Api.V1.Products.PostAsync(new Models.ProductWriteRequest { Sku = UniqueSku("TYPED"), Name = "Typed lamp", Price = 12m }, cancellationToken: Ct);
        var (_, etag) = await GetWithETagAsync(product!.Id!.Value);
        await Client.Api.V1.Products[product.Id!.Value].PatchAsync(new Models.ProductWriteRequest { Name = "Typed lamp, brass" }, c => c.Headers.Add("If-Match", etag), Ct);

        var stale = await Assert.ThrowsAsync<Models.ProblemDetails>(() =>
            Client.Api.V1.Products[product.Id!.Value].PatchAsync(new Models.ProductWriteRequest { Name = "Typed lamp, steel" }, c => c.Headers.Add("If-Match", etag), Ct));
        Assert.Equal(412, stale.ResponseStatusCode);
        Assert.Equal("urn:productcatalog:problem:precondition-failed", stale.Type);
        Assert.Equal("Typed lamp, brass", (await Client.Api.V1.Products[product.Id!.Value].GetAsync(cancellationToken: Ct))!.Name);
    }

    /// <summary>What docs/client.md tells another project of an Aspire app to do, with the variable the AppHost would set.</summary>
    [Fact]
    public async Task Another_project_reaches_api_by_service_discovery()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["services:api:http:0"] = fixture.App.GetEndpoint(CatalogResourceNames.Api, "http").ToString() })
            .Build());
        services.AddServiceDiscovery();
        services.AddHttpClient("catalog", http => http.BaseAddress = new Uri("https+http://api"))
            .AddServiceDiscovery()
            .AddHttpMessageHandler(() => new ContractValidatingHandler(fixture.GetContractAsync));
        services.AddTransient(sp => CatalogClientFactory.Create(sp.GetRequiredService<IHttpClientFactory>().CreateClient("catalog")));
        await using var provider = services.BuildServiceProvider();

        var categories = await provider.GetRequiredService<CatalogClient>().Api.V1.Categories.GetAsync(cancellationToken: Ct);

        Assert.NotNull(categories);
        Assert.All(categories, c => Assert.True(c.ProductCount >= 0));
    }

    [Fact]
    public async Task The_committed_client_is_what_generate_sh_makes_from_the_committed_document()
    {
        var committed = Path.Combine(RepositoryPaths.Root, "ProductCatalog.Client", "Generated");
        var fresh = Path.Combine(Path.GetTempPath(), $"productcatalog-client-{Guid.NewGuid():N}");
        try
        {
            var startInfo = new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "ProductCatalog.Client", "generate.sh"), fresh])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var errors = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
            Assert.True(process.ExitCode == 0, await output + await errors);

            var expected = Files(fresh);
            var actual = Files(committed);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            foreach (var (file, text) in expected)
            {
                Assert.True(text == actual[file], $"ProductCatalog.Client/Generated/{file} is stale: run ProductCatalog.Client/generate.sh and commit the result.");
            }
        }
        finally
        {
            if (Directory.Exists(fresh))
            {
                Directory.Delete(fresh, recursive: true);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<(Models.ProductResponse Product, string ETag)> GetWithETagAsync(Guid id)
    {
        var headers = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        var product = await Client.Api.V1.Products[id].GetAsync(c => c.Options.Add(headers), Ct);
        return (product!, headers.ResponseHeaders["ETag"].Single());
    }

    /// <summary>
    /// Every generated file's text, in a form that only what the client does changes. Kiota sorts the
    /// using directives by name, so under another name (a service made from this one with
    /// <c>dotnet new</c>) the same client has them in another order: they are compared as a set. Two
    /// lines of the lock file are left out: the path to the document depends on where the output went,
    /// and the document's hash changes with any byte of it (the new service's document is renamed too).
    /// </summary>
    private static Dictionary<string, string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(directory, f).Replace('\\', '/'),
            f => Comparable(File.ReadAllLines(f)),
            StringComparer.Ordinal);

    private static string Comparable(string[] lines)
    {
        var usings = lines.Where(line => line.StartsWith("using ", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        var rest = lines.Where(line => !line.StartsWith("using ", StringComparison.Ordinal)
            && !line.Contains("\"descriptionLocation\"", StringComparison.Ordinal)
            && !line.Contains("\"descriptionHash\"", StringComparison.Ordinal));
        return string.Join('\n', usings.Concat(rest));
    }
}
