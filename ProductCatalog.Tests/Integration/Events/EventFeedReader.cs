using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ProductCatalog.Tests.Integration.Events;

/// <summary>Reads the change feed the way a consumer does: following <c>next</c>.</summary>
internal sealed class EventFeedReader(HttpClient client)
{
    public const string EventsScope = "catalog.events";

    public static EventFeedReader Create(CatalogAppFixture fixture)
    {
        var client = fixture.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Mint(fixture.SigningKey, scope: EventsScope));
        client.Timeout = TimeSpan.FromSeconds(100);
        return new EventFeedReader(client);
    }

    public HttpClient Client => client;

    /// <summary>
    /// The newest position given out so far: every event a test causes afterwards comes after it,
    /// so reading from here shows the test only the events of its own period.
    /// </summary>
    public static async Task<long> HeadAsync(CatalogAppFixture fixture)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand($"SELECT sequenced_through FROM {CatalogTables.EventFeed}", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    public async Task<FeedPage> PageAsync(string query)
    {
        using var response = await client.GetAsync($"/api/v1/events?{query}", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/v1/events?{query}: {(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        var items = body.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
        return new FeedPage(items, long.Parse(body.GetProperty("next").GetString()!, CultureInfo.InvariantCulture), response.Headers.TryGetValues("Link", out var link) ? link.Single() : null);
    }

    /// <summary>Follows <c>next</c> from <paramref name="after"/> until <paramref name="done"/> holds for what was read (or the time is up).</summary>
    public async Task<List<JsonElement>> ReadUntilAsync(long after, Func<IReadOnlyList<JsonElement>, bool> done, TimeSpan timeout, int limit = 1000)
    {
        var events = new List<JsonElement>();
        var stopAt = DateTime.UtcNow + timeout;
        while (!done(events))
        {
            Assert.True(DateTime.UtcNow < stopAt, $"the feed did not deliver what was expected within {timeout}; read {events.Count} events");
            var page = await PageAsync($"after={after}&limit={limit}&wait=2");
            events.AddRange(page.Items);
            after = page.Next;
        }

        return events;
    }

    public static long Position(JsonElement e) => long.Parse(e.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture);

    public static string Subject(JsonElement e) => e.GetProperty("subject").GetString()!;

    public static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}

internal sealed record FeedPage(IReadOnlyList<JsonElement> Items, long Next, string? Link);

internal static class JsonAssert
{
    /// <summary>Same JSON value: members in any order, numbers compared as decimals (10.5 = 10.50), timestamps as instants.</summary>
    public static bool SameJson(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
    {
        (JsonValueKind.Object, JsonValueKind.Object) =>
            a.EnumerateObject().Count() == b.EnumerateObject().Count()
            && a.EnumerateObject().All(p => b.TryGetProperty(p.Name, out var other) && SameJson(p.Value, other)),
        (JsonValueKind.Array, JsonValueKind.Array) =>
            a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(x => SameJson(x.First, x.Second)),
        (JsonValueKind.Number, JsonValueKind.Number) => a.GetDecimal() == b.GetDecimal(),

        // RFC 3339 timestamps name the same instant however many fraction digits they show.
        (JsonValueKind.String, JsonValueKind.String) when a.TryGetDateTimeOffset(out var x) && b.TryGetDateTimeOffset(out var y) => x == y,
        _ => a.ValueKind == b.ValueKind && a.GetRawText() == b.GetRawText(),
    };

    public static void Equal(JsonElement expected, JsonElement actual) =>
        Assert.True(SameJson(expected, actual), $"expected {expected.GetRawText()}\n  actual {actual.GetRawText()}");
}
