using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ProductCatalog.Api.Http;

/// <summary>
/// 200 with JSON serialized beforehand (a cached product, a page written by the source
/// generator), typed by what the bytes hold so the document names the schema. It writes what
/// <see cref="TypedResults.Bytes(byte[], string?, string?, bool, DateTimeOffset?, Microsoft.Net.Http.Headers.EntityTagHeaderValue?)"/> wrote before.
/// </summary>
public sealed class JsonBytes<TValue>(byte[] json) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public const string ContentType = "application/json; charset=utf-8";

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public ReadOnlyMemory<byte> Json => json;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Bytes(json, ContentType).ExecuteAsync(httpContext);

    [SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static: the framework calls it on the type, at startup.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TValue), ["application/json"]));
}

/// <summary>304: the client's copy (its <c>If-None-Match</c>) is current; no body.</summary>
public sealed class NotModified : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public static readonly NotModified Instance = new();

    private NotModified()
    {
    }

    public int StatusCode => StatusCodes.Status304NotModified;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        return Task.CompletedTask;
    }

    [SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static: the framework calls it on the type, at startup.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}

/// <summary>A write's answer kept as a <see cref="StoredJsonResponse"/>, so an idempotent replay is byte-identical.</summary>
public interface IStoredJsonResult : IResult
{
    StoredJsonResponse Response { get; }
}

/// <summary>201 with a stored body of <typeparamref name="TValue"/> (a first answer, or its replay).</summary>
public sealed class StoredCreated<TValue>(StoredJsonResponse response) : IStoredJsonResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public StoredJsonResponse Response { get; } = response.StatusCode == StatusCodes.Status201Created
        ? response
        : throw new ArgumentException($"A stored 201 answer has status {response.StatusCode}.", nameof(response));

    int? IStatusCodeHttpResult.StatusCode => Response.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => Response.ExecuteAsync(httpContext);

    [SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static: the framework calls it on the type, at startup.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(TValue), ["application/json"]));
}

/// <summary>200 with a stored body of <typeparamref name="TValue"/>.</summary>
public sealed class StoredOk<TValue>(StoredJsonResponse response) : IStoredJsonResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public StoredJsonResponse Response { get; } = response.StatusCode == StatusCodes.Status200OK
        ? response
        : throw new ArgumentException($"A stored 200 answer has status {response.StatusCode}.", nameof(response));

    int? IStatusCodeHttpResult.StatusCode => Response.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => Response.ExecuteAsync(httpContext);

    [SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static: the framework calls it on the type, at startup.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TValue), ["application/json"]));
}
