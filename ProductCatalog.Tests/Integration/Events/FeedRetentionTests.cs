using System.Net;
using static ProductCatalog.Tests.Integration.Api.ApiTestHelpers;
using static ProductCatalog.Tests.Integration.Events.EventFeedReader;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>
/// Ages an event in the database, which makes its position answer 410 for every reader: so it
/// runs alone, after the parallel tests (which read the feed from positions of their own).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FeedRetentionGroup
{
    public const string Name = "Feed retention";
}

[Collection(FeedRetentionGroup.Name)]
public sealed class FeedRetentionTests(CatalogAppFixture fixture)
{
    private readonly HttpClient _writer = fixture.CreateApiClient();
    private readonly EventFeedReader _feed = EventFeedReader.Create(fixture);

    [Fact]
    public async Task A_position_older_than_the_retention_is_410()
    {
        var start = await HeadAsync(fixture);
        var id = (await _writer.CreateProductAsync(Product())).GetProperty("id").GetString()!;
        var mine = (await _feed.ReadUntilAsync(start, read => read.Any(e => Subject(e) == id), TimeSpan.FromSeconds(30))).First(e => Subject(e) == id);
        var position = Position(mine);
        using (var fresh = await _feed.Client.GetAsync($"/api/v1/events?after={position}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        // Age this one event past the 7-day retention (only its own: the purge only deletes a prefix of old events).
        await using (var connection = new Npgsql.NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync()))
        {
            await connection.OpenAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand("UPDATE catalog_events SET time = time - interval '8 days' WHERE position = $1", connection)
            {
                Parameters = { new() { Value = position } },
            };
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        using var response = await _feed.Client.GetAsync($"/api/v1/events?after={position}", Ct);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("urn:productcatalog:problem:position-expired", problem.GetProperty("type").GetString());
    }

}
