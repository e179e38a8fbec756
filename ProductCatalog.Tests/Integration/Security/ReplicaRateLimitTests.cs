using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace ProductCatalog.Tests.Integration.Security;

/// <summary>
/// The write limit holds per client across replicas: each replica allows its share (the limit
/// divided by the replicas running), so a client gets the limit once, not once per replica.
/// </summary>
public sealed class ReplicaRateLimitTests(CatalogAppFixture fixture)
{
    private const int Burst = 200;
    private const int PerSecond = 50;

    [Fact]
    public async Task One_replica_allows_a_client_only_its_share_of_the_limit()
    {
        var replicas = await fixture.CreateReplicaClientsAsync(Ct);
        try
        {
            var accepted = 0;
            var limited = false;
            var elapsed = Stopwatch.StartNew();
            for (var round = 0; round < 40 && !limited; round++)
            {
                // Invalid bodies: the limiter runs before validation, and the database stays out of it.
                var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
                {
                    using var response = await replicas[0].PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = "" }), Ct);
                    return response.StatusCode;
                }));
                accepted += statuses.Count(s => s == HttpStatusCode.BadRequest);
                limited = statuses.Contains(HttpStatusCode.TooManyRequests);
            }

            Assert.True(limited, "The replica never limited the client.");
            var share = Burst / CatalogAppFixture.ApiReplicas;
            var refilled = PerSecond / CatalogAppFixture.ApiReplicas * elapsed.Elapsed.TotalSeconds;

            // At least its share of the burst; at most that plus what its share refilled meanwhile,
            // far below what a replica enforcing the whole limit would have accepted (200 + 50/s).
            Assert.InRange(accepted, share, share + refilled + 10);

            // The other replica has its own share for the same client.
            replicas[1].DefaultRequestHeaders.Authorization = replicas[0].DefaultRequestHeaders.Authorization;
            using var other = await replicas[1].PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = "" }), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        }
        finally
        {
            foreach (var client in replicas)
            {
                client.Dispose();
            }
        }
    }
}
