using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ProductCatalog.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json (and, generated at build, ProductCatalog.Api.json).
/// Endpoint metadata gives paths, bodies and status codes; the metadata in
/// <see cref="OpenApiMetadataExtensions"/> gives headers, examples and descriptions; these
/// transformers add what neither can say: the bearer scheme and per-operation security, what a
/// problem body really holds.
/// </summary>
internal static class CatalogOpenApi
{
    public const string BearerScheme = "Bearer";

    /// <summary>The (strong) entity tags <see cref="Http.ETags"/> makes.</summary>
    public const string ETagPattern = "^\"[0-9]+\"$";

    /// <summary>What each error status means for any operation here, and what the caller can do about it.</summary>
    private static readonly Dictionary<int, string> s_statusDescriptions = new()
    {
        [StatusCodes.Status304NotModified] = "Not modified: the ETag in If-None-Match is still current. Use your cached copy.",
        [StatusCodes.Status400BadRequest] = "The request is invalid. `errors` maps each offending field, by its JSON path (`price`, `items[3].sku`, `cursor`), "
            + "to what is wrong with it; fix those and send it again.",
        [StatusCodes.Status401Unauthorized] = "No bearer token, or one that is expired, badly signed or meant for another audience (`WWW-Authenticate` says which). "
            + "Obtain a token for this API and send it as `Authorization: Bearer <token>`.",
        [StatusCodes.Status403Forbidden] = "The token is valid but lacks the scope this operation needs (see `security`). Ask for a token with that scope.",
        [StatusCodes.Status404NotFound] = "No such resource: it never existed or was deleted. Check the id (or SKU) in the path.",
        [StatusCodes.Status409Conflict] = "The request conflicts with the current state; `type` says how (for example `urn:productcatalog:problem:duplicate-sku`). "
            + "Sending it unchanged fails again: change the request or the resource first.",
        [StatusCodes.Status410Gone] = "What the request points at is no longer retained (for a feed: `after` is older than the retention). "
            + "Start again from what is still there.",
        [StatusCodes.Status412PreconditionFailed] = "`If-Match` names an ETag that is no longer current: someone changed the resource since you read it. "
            + "GET it again, reapply your change, and retry with the new ETag.",
        [StatusCodes.Status413PayloadTooLarge] = $"The body is over this endpoint's limit ({CatalogApiExtensions.DefaultBodyLimit / 1024 / 1024} MiB; "
            + $"{ProductEndpoints.BatchBodyLimit / 1024 / 1024} MiB for a batch import). Send less, or split a batch.",
        [StatusCodes.Status415UnsupportedMediaType] = "The body's `Content-Type` is not one this operation reads (see `requestBody`). Send it with that media type.",
        [StatusCodes.Status422UnprocessableEntity] = "This `Idempotency-Key` was used with a different body in the last 24 hours. Use a new key for a new request.",
        [StatusCodes.Status429TooManyRequests] = WriteRateLimitOptions.Description,
        [StatusCodes.Status503ServiceUnavailable] = "The catalog's database cannot be reached. Wait the seconds in `Retry-After`, then retry "
            + "(a create is safe to retry with the same `Idempotency-Key`).",
    };

    public static IServiceCollection AddCatalogOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // A sort is a string parameter (see the schema transformer), written where it is used, not a component.
            options.CreateSchemaReferenceId = type => type.Type == typeof(ProductSort) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ProductCatalog API",
                    Version = "v1",
                    Description = "Products and categories, with keyset paging, ETags, idempotent writes and RFC 9457 problems. "
                        + $"Reads are anonymous (a bearer token may be sent and is ignored); writes need a bearer JWT with the `{CatalogAuthOptions.WriteScope}` scope.",
                    License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/license/mit") },
                };
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Products", Description = "The catalog's products: CRUD, listing, batch import, stock." },
                    new() { Name = "Categories", Description = "Categories that group products." },
                };

                // The framework fills in the request's own address, with a trailing slash that
                // would double the one every path starts with.
                foreach (var server in document.Servers ?? [])
                {
                    server.Url = server.Url?.TrimEnd('/');
                }

                // At build there is no request, so no address: the committed document says "the host
                // that serves this document" (OpenAPI's default, written out for linters and generators).
                if (document.Servers is null or { Count: 0 })
                {
                    document.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document; a running API names its own address in /openapi/v1.json." }];
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A JWT for this API's audience. Its `scope` (or `scp`) claim, space-separated, must include the scopes an operation lists under `security`.",
                };
                return Task.CompletedTask;
            });

            options.AddSchemaTransformer((schema, context, _) =>
            {
                var type = context.JsonTypeInfo.Type;
                if (type == typeof(ProblemDetails) || type == typeof(HttpValidationProblemDetails))
                {
                    DescribeProblem(schema);
                }
                else if (type == typeof(DateTimeOffset))
                {
                    // The custom UTC converter hides the type from the schema generator.
                    schema.Type = JsonSchemaType.String;
                    schema.Format = "date-time";
                }
                else if (type == typeof(ProductSort))
                {
                    // Bound from its text (ProductSort.TryParse), not a JSON object.
                    schema.Type = JsonSchemaType.String;
                    schema.Properties = null;
                    schema.Required = null;
                    schema.AdditionalPropertiesAllowed = true;
                    schema.AdditionalProperties = null;
                    schema.Description = null;
                    schema.Enum = [.. ProductSort.All.Select(s => (JsonNode)s.Text)];
                }
                else if (type == typeof(decimal) || type == typeof(decimal?))
                {
                    // Money is exact (numeric in PostgreSQL); "decimal" makes generated clients use a decimal type, not a double.
                    schema.Format = "decimal";
                }

                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                AddSecurity(operation, metadata, context.Document);
                AddRequestHeaders(operation, metadata);
                DescribeResponses(operation, metadata);
                AddRequestExamples(operation, metadata);

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// Policies are named after the scope they require (<see cref="CatalogAuthOptions.WritePolicy"/>),
    /// so an endpoint's authorization metadata says which scopes its token needs. Anonymous
    /// operations list the empty requirement first and the bearer scheme as an alternative: a
    /// client configured with a token sends it on reads too, and that is valid.
    /// </summary>
    private static void AddSecurity(OpenApiOperation operation, IList<object> metadata, OpenApiDocument? document)
    {
        var scheme = new OpenApiSecuritySchemeReference(BearerScheme, document);
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        // An inline policy (RequireAuthorization(policy => ...)) has no name, but still needs a token.
        var secured = authorize.Count > 0 || metadata.OfType<AuthorizationPolicy>().Any();
        if (secured && !metadata.OfType<IAllowAnonymous>().Any())
        {
            var scopes = authorize.Select(a => a.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            operation.Security = [new OpenApiSecurityRequirement { [scheme] = scopes }];
        }
        else
        {
            operation.Security = [new OpenApiSecurityRequirement(), new OpenApiSecurityRequirement { [scheme] = [] }];
        }
    }

    private static void AddRequestHeaders(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var header in metadata.OfType<RequestHeaderMetadata>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = header.Description,
                Schema = RequestHeaderSchema(header.Header),
            });
        }
    }

    private static OpenApiSchema RequestHeaderSchema(string header) => header switch
    {
        Http.IdempotencyKeys.HeaderName => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MinLength = 1,
            MaxLength = Http.IdempotencyKeys.MaxKeyLength,
            Pattern = "^[!-~]+$",
            Examples = [JsonValue.Create("5f1c2b7e-order-1042")],
        },
        _ => new OpenApiSchema { Type = JsonSchemaType.String, Examples = [JsonValue.Create("\"4711\"")] },
    };

    private static void DescribeResponses(OpenApiOperation operation, IList<object> metadata)
    {
        if (operation.Responses is null)
        {
            return;
        }

        var own = metadata.OfType<ResponseDescriptionMetadata>().ToList();
        foreach (var (code, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete || !int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                continue;
            }

            // The innermost registration (the endpoint's own) is the last one in the metadata.
            concrete.Description = own.LastOrDefault(d => d.Status == status)?.Description
                ?? s_statusDescriptions.GetValueOrDefault(status)
                ?? concrete.Description;

            var headers = metadata.OfType<ResponseHeaderMetadata>().Where(h => h.Status == status).Select(h => (h.Header, h.Required)).ToList();
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                headers.Add(("Retry-After", true));
            }
            else if (status == StatusCodes.Status401Unauthorized)
            {
                headers.Add(("WWW-Authenticate", true));
            }

            foreach (var (name, required) in headers)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[name] = ResponseHeader(name, required);
            }
        }
    }

    private static OpenApiHeader ResponseHeader(string name, bool required) => name switch
    {
        "ETag" => new()
        {
            Required = required,
            Description = "This version of the resource (strong, changes on every write). Send it in `If-Match` to write only this version, or in `If-None-Match` to revalidate a cached copy.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = ETagPattern },
        },
        "Location" => new()
        {
            Required = required,
            Description = "The new resource's URL (relative to the server).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
        },
        "Link" => new()
        {
            Required = required,
            Description = "`<url>; rel=\"next\"` (RFC 8288) when there is a next page: the same query with the next cursor. Absent on the last page.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^<[^>]+>; rel=\"next\"$" },
        },
        "Retry-After" => new()
        {
            Required = required,
            Description = "Seconds to wait before retrying.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
        },
        "WWW-Authenticate" => new()
        {
            Required = required,
            Description = "A `Bearer` challenge (RFC 6750); its `error_description` says why a token was refused.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^Bearer" },
        },
        Http.StoredJsonResponse.ReplayedHeader => new()
        {
            Required = required,
            Description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key` (nothing was written this time).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
        },
        ProductSearch.FallbackHeader => new()
        {
            Required = required,
            Description = "`similarity` when the search (`q`) matched nothing and this page lists the matches of the search with its misspelt words corrected to words of product names (a typo fallback), by relevance. Absent on a normal listing.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(ProductSearch.SimilarityMode)] },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Describe this header here."),
    };

    private static void AddRequestExamples(OpenApiOperation operation, IList<object> metadata)
    {
        if (operation.RequestBody?.Content is not { } content)
        {
            return;
        }

        foreach (var mediaType in content.Values.OfType<OpenApiMediaType>())
        {
            foreach (var example in metadata.OfType<RequestExampleMetadata>())
            {
                mediaType.Examples ??= new Dictionary<string, IOpenApiExample>();
                mediaType.Examples[ExampleKey(example.Summary)] = new OpenApiExample { Summary = example.Summary, Value = example.Value.DeepClone() };
            }
        }
    }

    private static string ExampleKey(string summary) =>
        string.Concat(summary.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]))
            .Replace("-", "", StringComparison.Ordinal);

    /// <summary>
    /// Every problem this service writes has <c>type</c>, <c>title</c>, <c>status</c>,
    /// <c>detail</c> and the <c>traceId</c> the problem details service adds (the framework's
    /// schema knows neither that they are always there nor <c>traceId</c>).
    /// </summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        SetProperty(schema, "type", JsonSchemaType.String, "A URI naming the kind of problem; ours are `urn:productcatalog:problem:<name>`. Branch on this, not on `title`.");
        SetProperty(schema, "title", JsonSchemaType.String, "A short summary of the kind of problem.");
        SetProperty(schema, "status", JsonSchemaType.Integer, "The HTTP status code.");
        SetProperty(schema, "detail", JsonSchemaType.String, "What went wrong with this request, for people.");
        SetProperty(schema, "instance", JsonSchemaType.String | JsonSchemaType.Null, "A URI for this occurrence, when there is one.");
        SetProperty(schema, "traceId", JsonSchemaType.String, "The W3C trace id of the request; quote it when reporting a problem.");
        if (schema.Properties.TryGetValue("errors", out var errors) && errors is OpenApiSchema errorMap)
        {
            errorMap.Description = "Each invalid field by its JSON path (`price`, `items[3].sku`, `$` for the whole body) with what is wrong with it.";
        }

        schema.Required = new HashSet<string>(["type", "title", "status", "detail", "traceId"]);
        schema.Description = "An RFC 9457 problem.";
    }

    private static void SetProperty(OpenApiSchema schema, string name, JsonSchemaType type, string description)
    {
        var property = schema.Properties!.TryGetValue(name, out var existing) && existing is OpenApiSchema known ? known : new OpenApiSchema();
        property.Type = type;
        property.Description = description;
        if (type == JsonSchemaType.Integer)
        {
            property.Format = "int32";
        }

        schema.Properties[name] = property;
    }
}
