using System.Diagnostics;
using System.Text.Json;

namespace ProductCatalog.Api.Telemetry;

/// <summary>
/// Feeds <see cref="CatalogMetrics"/> from what every catalog endpoint answers, so the handlers
/// stay free of metric calls: the endpoint's name (from routing) says what was attempted, the
/// final status code what came of it. It runs outside the exception handler, so a write refused
/// by a thrown error (malformed JSON, a body too large) is counted with the status the client got.
/// </summary>
internal sealed class CatalogMetricsMiddleware(RequestDelegate next, CatalogMetrics metrics)
{
    private const string ListProducts = "ListProducts";
    private const string CreateProduct = "CreateProduct";
    private const string ImportProducts = "ImportProducts";
    private const string ReplaceProduct = "ReplaceProduct";
    private const string PatchProduct = "PatchProduct";
    private const string DeleteProduct = "DeleteProduct";
    private const string AdjustStock = "AdjustStock";

    public async Task InvokeAsync(HttpContext context)
    {
        // Read before the handler runs: the exception handler clears the endpoint when it takes over.
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var isWrite = operation is not null && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        if (operation != ListProducts && !isWrite)
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var responseBody = context.Response.Body;
        using var importBuffer = operation == ImportProducts ? new MemoryStream() : null;
        if (importBuffer is not null)
        {
            // The batch's size is only in its answer: { "ids": [...] } (at most 1000 ids).
            context.Response.Body = importBuffer;
        }

        try
        {
            await next(context);
        }
        finally
        {
            if (importBuffer is not null)
            {
                context.Response.Body = responseBody;
            }
        }

        var status = context.Response.StatusCode;
        if (operation == ListProducts)
        {
            if (status == StatusCodes.Status200OK)
            {
                metrics.RecordListDuration(Stopwatch.GetElapsedTime(started));
            }

            return;
        }

        if (importBuffer is not null)
        {
            importBuffer.Position = 0;
            await importBuffer.CopyToAsync(responseBody, context.RequestAborted);
        }

        if (status >= 400)
        {
            metrics.WriteRejected(ReasonFor(status, operation!), operation);
            return;
        }

        if (status >= 300 || context.Response.Headers.ContainsKey(StoredJsonResponse.ReplayedHeader))
        {
            return; // An idempotent replay wrote nothing.
        }

        switch (operation)
        {
            case CreateProduct: metrics.ProductCreated(); break;
            case ImportProducts: metrics.ProductCreated(CountIds(importBuffer!)); break;
            case ReplaceProduct or PatchProduct: metrics.ProductUpdated(); break;
            case DeleteProduct: metrics.ProductDeleted(); break;
            case AdjustStock: metrics.StockAdjusted(); break;
            default: break;
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

    private static int CountIds(MemoryStream body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                ? ids.GetArrayLength()
                : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }
}
