using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ProductCatalog.Api.Events;

/// <summary>The change feed's query string.</summary>
public sealed record EventFeedRequest
{
    /// <summary>A position from an earlier page's <c>next</c>; omitted: from the oldest retained event.</summary>
    [FromQuery(Name = "after")]
    public string? After { get; init; }

    /// <summary>Events per page, 1 to 1000 (default 100).</summary>
    [FromQuery(Name = "limit")]
    [DefaultValue(ReadEventFeed.DefaultLimit)]
    public int? Limit { get; init; }

    /// <summary>Seconds to wait for an event when none is available yet, 0 to 30 (default 0).</summary>
    [FromQuery(Name = "wait")]
    [DefaultValue(0)]
    public int? Wait { get; init; }

    /// <summary>Only events of this type (for example <c>catalog.product.updated</c>).</summary>
    [FromQuery(Name = "type")]
    public string? Type { get; init; }
}

/// <summary>One change event, a CloudEvent 1.0 in its JSON format.</summary>
public sealed record ChangeEvent(
    string Specversion,
    Guid Id,
    string Source,
    string Type,
    string Subject,
    DateTimeOffset Time,
    string Sequence,
    string Datacontenttype,
    JsonElement Data,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Traceparent);

/// <summary>A page of the feed; follow <c>next</c> (also in the <c>Link</c> header) for the following one.</summary>
public sealed record EventPage(IReadOnlyList<ChangeEvent> Items, string Next);

/// <summary>
/// <c>GET /api/v1/events</c>: keyset pages by feed position, optionally long-polling. Positions
/// only ever become visible in order (see <see cref="CatalogEventFeed"/>), so a reader that
/// follows <c>next</c> sees every event exactly once, in commit order per subject.
/// </summary>
internal static class ReadEventFeed
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxWaitSeconds = 30;

    /// <summary>Re-read at least this often while waiting, even if no change notification arrives.</summary>
    private static readonly TimeSpan s_maxSleep = TimeSpan.FromSeconds(1);

    private static readonly string[] s_known = ["after", "limit", "wait", "type"];

    public static async Task<Results<Ok<EventPage>, ValidationProblem, ProblemHttpResult>> Handle(
        [AsParameters] EventFeedRequest query,
        HttpContext context,
        CatalogDbContext db,
        ChangeEventSequencer sequencer,
        WaitForCatalogChange waitForChange,
        IOptions<ChangeEventOptions> options,
        TimeProvider time,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        foreach (var (name, values) in context.Request.Query)
        {
            if (!s_known.Contains(name, StringComparer.Ordinal))
            {
                errors.Add(name, $"Unknown query parameter. Known: {string.Join(", ", s_known)}.");
            }
            else if (values.Count > 1)
            {
                errors.Add(name, "Give this parameter once.");
            }
        }

        long? after = null;
        if (query.After is { } afterText)
        {
            if (long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors.Add("after", "Must be a position returned as 'next' by this feed.");
            }
        }

        var limit = query.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Must be an integer from 1 to {MaxLimit}.");
        }

        var wait = query.Wait ?? 0;
        if (wait is < 0 or > MaxWaitSeconds)
        {
            errors.Add("wait", $"Must be a number of seconds from 0 to {MaxWaitSeconds}.");
        }

        if (query.Type is { } type && !ChangeEventTypes.All.Contains(type, StringComparer.Ordinal))
        {
            errors.Add("type", $"Must be one of: {string.Join(", ", ChangeEventTypes.All)}.");
        }

        if (!errors.IsEmpty)
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        var deadline = time.GetTimestamp() + (long)(wait * (double)time.TimestampFrequency);
        var first = true;
        while (true)
        {
            // Taken before reading, so a commit that lands between the read and the wait still wakes us.
            var changed = waitForChange(ct);

            // One pooled connection per pass, returned before any wait: a long-polling reader holds none while it sleeps.
            long from;
            List<CatalogEvent> events;
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                var state = await sequencer.SequenceAsync(connection, ct);
                from = after ?? state.PurgedThrough;
                if (first)
                {
                    first = false;
                    if (await CheckPositionAsync(connection, from, state, options.Value.Retention, time, ct) is { } problem)
                    {
                        return problem;
                    }
                }

                events = await OutboxEvents.ReadAsync(connection, from, limit, query.Type, ct);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }

            var items = events.ConvertAll(ToChangeEvent);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (items.Count > 0 || remaining <= TimeSpan.Zero)
            {
                var next = items.Count > 0 ? items[^1].Sequence : from.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers.Link = $"<{NextPageUrl(context.Request, next)}>; rel=\"next\"";
                return TypedResults.Ok(new EventPage(items, next));
            }

            after = from;
            var sleep = remaining < s_maxSleep ? remaining : s_maxSleep;
            await Task.WhenAny(changed, Task.Delay(sleep, time, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private static async Task<ProblemHttpResult?> CheckPositionAsync(
        NpgsqlConnection connection, long after, FeedState state, TimeSpan retention, TimeProvider time, CancellationToken ct)
    {
        if (after > state.SequencedThrough)
        {
            return CatalogProblems.Problem(StatusCodes.Status400BadRequest, "unknown-position", "Unknown position",
                $"Position {after} has not been given out by this feed (the newest is {state.SequencedThrough}).");
        }

        var expired = after < state.PurgedThrough;
        if (!expired && after > 0)
        {
            expired = await OutboxEvents.RecordedBeforeAsync(connection, after, time.GetUtcNow() - retention, ct);
        }

        return expired
            ? CatalogProblems.Problem(StatusCodes.Status410Gone, "position-expired", "Position expired",
                $"Events after position {after} are older than the retention period and may have been deleted. Start again without 'after' (from the oldest retained event) and rebuild your copy.")
            : null;
    }

    public static ChangeEvent ToChangeEvent(CatalogEvent e) => new(
        "1.0", e.Id, e.Source, e.Type, e.Subject, e.Time, e.Position!.Value.ToString(CultureInfo.InvariantCulture),
        "application/json", JsonElement.Parse(e.Data), e.TraceParent);

    private static string NextPageUrl(HttpRequest request, string next)
    {
        var query = request.Query
            .Where(p => p.Key != "after")
            .Select(p => $"&{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}");
        return $"{request.PathBase}{request.Path}?after={next}{string.Concat(query)}";
    }
}
