namespace ProductCatalog.Api.Security;

/// <summary>
/// <c>Catalog:Auth</c>. Production names an OpenID Connect <see cref="Authority"/> (for example
/// Microsoft Entra ID, <c>https://login.microsoftonline.com/{tenant}/v2.0</c>) and the API's
/// <see cref="Audience"/>. Local runs and tests use a shared HS256 <see cref="SigningKey"/>
/// that the AppHost supplies as a secret parameter.
/// </summary>
public sealed class CatalogAuthOptions
{
    public const string SectionName = "Catalog:Auth";
    public const string DevelopmentIssuer = "productcatalog-dev";
    public const string DefaultAudience = "productcatalog-api";
    public const string WriteScope = "catalog.write";
    public const string WritePolicy = "catalog.write";
    public const string EventsScope = "catalog.events";
    public const string EventsPolicy = "catalog.events";

    public string? Authority { get; set; }

    public string Audience { get; set; } = DefaultAudience;

    /// <summary>At least 32 characters; its UTF-8 bytes are the HMAC key.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = DevelopmentIssuer;
}
