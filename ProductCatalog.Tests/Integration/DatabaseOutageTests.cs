using System.Net;

namespace ProductCatalog.Tests.Integration;

/// <summary>
/// Tests that stop PostgreSQL. They share the one app, so they run alone, after every
/// parallel collection has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageGroup
{
    public const string Name = "Database outage";
}

[Collection(DatabaseOutageGroup.Name)]
public sealed class DatabaseOutageTests(CatalogAppFixture fixture)
{
    private static readonly TimeSpan s_recoveryTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Health_is_503_while_PostgreSQL_is_down_and_200_again_after_it_restarts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", ct)).StatusCode);

        await fixture.StopPostgresAsync(ct);
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await WaitForHealthAsync(client, HttpStatusCode.ServiceUnavailable, ct));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", ct)).StatusCode);
        }
        finally
        {
            await fixture.StartPostgresAsync(ct);
        }

        Assert.Equal(HttpStatusCode.OK, await WaitForHealthAsync(client, HttpStatusCode.OK, ct));
    }

    private static async Task<HttpStatusCode> WaitForHealthAsync(HttpClient client, HttpStatusCode wanted, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(s_recoveryTimeout);
        var last = HttpStatusCode.OK;
        try
        {
            while (true)
            {
                using var response = await client.GetAsync("/health", timeout.Token);
                last = response.StatusCode;
                if (last == wanted)
                {
                    return last;
                }

                await Task.Delay(250, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return last;
        }
    }
}
