using System.Diagnostics;

namespace ProductCatalog.Api.Telemetry;

/// <summary>
/// The outcomes only the answer knows: writes refused (by status, whoever refused them — the
/// handler, authentication, the rate limiter, Kestrel's body limit or a thrown binding error; it
/// runs outside the exception handler, so the status is the one the client got) and how long a
/// successful listing took. What a write changed is recorded by the handler when it commits.
/// </summary>
internal sealed class CatalogMetricsMiddleware(RequestDelegate next, CatalogMetrics metrics)
{
    private const string AdjustStock = "AdjustStock";

    public async Task InvokeAsync(HttpContext context)
    {
        // Read before the handler runs: the exception handler clears the endpoint when it takes over.
        var endpoint = context.GetEndpoint();
        var operation = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var isListing = endpoint?.Metadata.GetMetadata<ListDurationMetadata>() is not null;
        var isWrite = operation is not null && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        if (!isListing && !isWrite)
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        await next(context);

        var status = context.Response.StatusCode;
        if (isListing)
        {
            if (status == StatusCodes.Status200OK)
            {
                metrics.RecordListDuration(Stopwatch.GetElapsedTime(started));
            }

            return;
        }

        if (status >= 400)
        {
            metrics.WriteRejected(ReasonFor(status, operation!), operation);
        }
    }

    internal static string ReasonFor(int status, string operation) => status switch
    {
        StatusCodes.Status400BadRequest => RejectionReasons.Validation,
        StatusCodes.Status401Unauthorized => RejectionReasons.Unauthorized,
        StatusCodes.Status403Forbidden => RejectionReasons.Forbidden,
        StatusCodes.Status404NotFound => RejectionReasons.NotFound,
        StatusCodes.Status409Conflict when operation == AdjustStock => RejectionReasons.InsufficientStock,
        StatusCodes.Status409Conflict => RejectionReasons.Conflict,
        StatusCodes.Status412PreconditionFailed => RejectionReasons.PreconditionFailed,
        StatusCodes.Status413PayloadTooLarge => RejectionReasons.TooLarge,
        StatusCodes.Status415UnsupportedMediaType => RejectionReasons.UnsupportedMediaType,
        StatusCodes.Status422UnprocessableEntity => RejectionReasons.IdempotencyMismatch,
        StatusCodes.Status429TooManyRequests => RejectionReasons.RateLimited,
        >= 500 => RejectionReasons.ServerError,
        _ => RejectionReasons.Other,
    };
}

/// <summary>Marks the listing whose successful duration is recorded (<see cref="CatalogMetrics.ListDurationName"/>).</summary>
public sealed class ListDurationMetadata
{
    public static readonly ListDurationMetadata Instance = new();

    private ListDurationMetadata()
    {
    }
}

public static class ListDurationMetadataExtensions
{
    public static TBuilder RecordsListDuration<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(ListDurationMetadata.Instance);
}
