using System.Text;

namespace ProductCatalog.Api.Http;

/// <summary>
/// A JSON response kept as text, so that an idempotent replay returns byte-for-byte what the
/// first request got: same status, body, Location and ETag.
/// </summary>
public sealed record StoredJsonResponse(int StatusCode, string Body, string? Location, string? ETag) : IResult, IStatusCodeHttpResult
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public bool Replayed { get; init; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json; charset=utf-8";
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (Replayed)
        {
            response.Headers[ReplayedHeader] = "true";
        }

        await response.WriteAsync(Body, Encoding.UTF8, httpContext.RequestAborted);
    }
}
