using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace ProductCatalog.Api.Http;

/// <summary>
/// A problem whose status is part of its type, so that a handler returning
/// <c>Results&lt;..., NotFoundProblem&gt;</c> declares its 404 in the OpenAPI document by its
/// signature. <see cref="NotFound{TValue}"/> with a <see cref="ProblemDetails"/> would do that too,
/// but it serializes the value itself; these execute a <see cref="ProblemHttpResult"/>, which
/// writes through the problem details service (<c>traceId</c>, <c>CustomizeProblemDetails</c>),
/// so the bytes on the wire are the ones the untyped handlers sent.
/// </summary>
public abstract class StatusProblem : IResult, IStatusCodeHttpResult
{
    private protected StatusProblem(int status, string type, string title, string detail) =>
        Result = TypedResults.Problem(detail: detail, statusCode: status, title: title, type: CatalogProblems.TypePrefix + type);

    public ProblemHttpResult Result { get; }

    public ProblemDetails ProblemDetails => Result.ProblemDetails;

    public int StatusCode => Result.StatusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => Result.ExecuteAsync(httpContext);

    private protected static void Declare(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
}

public sealed class NotFoundProblem(string type, string title, string detail)
    : StatusProblem(StatusCodes.Status404NotFound, type, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status404NotFound);
}

public sealed class ConflictProblem(string type, string title, string detail)
    : StatusProblem(StatusCodes.Status409Conflict, type, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status409Conflict);
}

public sealed class PreconditionFailedProblem(string type, string title, string detail)
    : StatusProblem(StatusCodes.Status412PreconditionFailed, type, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status412PreconditionFailed);
}

public sealed class UnsupportedMediaTypeProblem(string type, string title, string detail)
    : StatusProblem(StatusCodes.Status415UnsupportedMediaType, type, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status415UnsupportedMediaType);
}

public sealed class IdempotencyKeyReusedProblem(string type, string title, string detail)
    : StatusProblem(StatusCodes.Status422UnprocessableEntity, type, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status422UnprocessableEntity);
}
