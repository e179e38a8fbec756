using System.Text.Json.Nodes;

namespace ProductCatalog.Api.OpenApi;

/// <summary>A response header an endpoint sends with <see cref="Status"/>; <see cref="CatalogOpenApi"/> writes it into the document.</summary>
public sealed record ResponseHeaderMetadata(int Status, string Header, bool Required);

/// <summary>A request header the handler reads itself (so the framework cannot see it).</summary>
public sealed record RequestHeaderMetadata(string Header, string Description);

/// <summary>What a response with <see cref="Status"/> means for this endpoint, phrased so a caller knows what to do.</summary>
public sealed record ResponseDescriptionMetadata(int Status, string Description);

/// <summary>An example request body, shown by API references and used by mock servers.</summary>
public sealed record RequestExampleMetadata(string Summary, JsonNode Value);

public static class OpenApiMetadataExtensions
{
    public static TBuilder ProducesHeader<TBuilder>(this TBuilder builder, int status, string header, bool required = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeaderMetadata(status, header, required));

    public static TBuilder AcceptsHeader<TBuilder>(this TBuilder builder, string header, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestHeaderMetadata(header, description));

    public static TBuilder DescribesResponse<TBuilder>(this TBuilder builder, int status, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseDescriptionMetadata(status, description));

    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, string summary, JsonNode value)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestExampleMetadata(summary, value));
}
