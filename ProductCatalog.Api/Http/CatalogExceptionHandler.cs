using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Turns what escapes an endpoint into a problem: unreadable bodies into 400/413, an unreachable
/// database into 503 with Retry-After, anything else into a bare 500. No exception text, SQL or
/// stack trace ever reaches the client.
/// </summary>
internal sealed partial class CatalogExceptionHandler(IProblemDetailsService problems, ILogger<CatalogExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            // A query value the binder could not parse: the endpoint's own check names the parameter.
            BadHttpRequestException when httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<QueryValidation>()?.Check(httpContext.Request.Query) is { } invalid
                => invalid.ProblemDetails,
            BadHttpRequestException bad => FromBadRequest(bad),
            _ when DatabaseErrors.IsUnavailable(exception) => Unavailable(httpContext),
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception);
            problem = Problem(StatusCodes.Status500InternalServerError, "internal", "Internal server error", "The request could not be completed. Quote the traceId when reporting this.");
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private ProblemDetails Unavailable(HttpContext httpContext)
    {
        LogDatabaseUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return CatalogProblems.ServiceUnavailable().ProblemDetails;
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large", "The request body exceeds the size limit of this endpoint.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return CatalogProblems.UnsupportedMediaType("application/json").ProblemDetails;
        }

        if (FindJsonException(bad) is { } json)
        {
            var field = JsonErrors.ToField(json.Path);
            var message = JsonErrors.Describe(json);
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Type = CatalogProblems.TypePrefix + "validation",
                Title = "Validation failed",
                Detail = "The request body could not be read; see 'errors'.",
            };
        }

        return Problem(StatusCodes.Status400BadRequest, "bad-request", "Bad request",
            bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
                ? "The request body is missing or could not be read."
                : "The request is malformed (a route or query value has the wrong format).");
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail) => new()
    {
        Status = status,
        Type = CatalogProblems.TypePrefix + type,
        Title = title,
        Detail = detail,
    };

    private static JsonException? FindJsonException(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable while serving {Method} {Path}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string method, PathString path);
}
