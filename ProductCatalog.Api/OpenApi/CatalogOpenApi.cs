using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using ProductCatalog.Api.Http;
using ProductCatalog.Api.Products;
using ProductCatalog.Api.Security;

namespace ProductCatalog.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: endpoint metadata gives paths, bodies and status
/// codes; these transformers add what metadata cannot say (the bearer scheme, headers the
/// handlers read, the listing's query parameters).
/// </summary>
internal static class CatalogOpenApi
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddCatalogOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ProductCatalog API",
                    Version = "v1",
                    Description = "Products and categories, with keyset paging, ETags, idempotent writes and RFC 9457 problems. "
                        + "Reads are anonymous; writes need a bearer JWT with the `catalog.write` scope.",
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

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = $"A JWT whose `scope` (or `scp`) claim includes `{CatalogAuthOptions.WriteScope}`.",
                };
                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                operation.Security ??= [];
                if (metadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [CatalogAuthOptions.WriteScope],
                    });
                }
                else
                {
                    // An empty requirement: anonymous access, stated explicitly.
                    operation.Security.Add(new OpenApiSecurityRequirement());
                }

                var method = context.Description.HttpMethod;
                var name = metadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
                operation.Parameters ??= [];
                switch (method)
                {
                    case "GET" when name is "GetProduct" or "GetProductBySku":
                        operation.Parameters.Add(Header("If-None-Match", "Answer 304 Not Modified when the product's ETag matches."));
                        break;
                    case "PUT" or "PATCH" or "DELETE" when context.Description.RelativePath?.StartsWith("api/v1/products", StringComparison.Ordinal) == true:
                        operation.Parameters.Add(Header("If-Match", "Apply the write only if the product's current ETag matches (412 otherwise)."));
                        break;
                    case "POST" when name is "CreateProduct" or "ImportProducts":
                        operation.Parameters.Add(Header(IdempotencyKeys.HeaderName,
                            "1 to 255 visible ASCII characters. The same key and body within 24 hours replays the first response; another body is 422."));
                        break;
                }

                if (operation.Responses?.TryGetValue("429", out var tooMany) == true && tooMany is OpenApiResponse limited)
                {
                    limited.Description = WriteRateLimitOptions.Description;
                }

                if (name == "ListProducts")
                {
                    AddListParameters(operation);
                }

                return Task.CompletedTask;
            });
        });

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = false,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static void AddListParameters(OpenApiOperation operation)
    {
        OpenApiParameter Query(string name, JsonSchemaType type, string description, string? format = null, JsonNode[]? values = null) => new()
        {
            Name = name,
            In = ParameterLocation.Query,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = type, Format = format, Enum = values?.ToList() },
        };

        operation.Parameters!.Add(Query("q", JsonSchemaType.String, "Full-text search over name, description and SKU (web-search syntax; any text is safe)."));
        operation.Parameters.Add(Query("categoryId", JsonSchemaType.Integer, "Only products in this category.", "int32"));
        operation.Parameters.Add(Query("tag", JsonSchemaType.String, "Only products with this tag (case-insensitive)."));
        operation.Parameters.Add(Query("minPrice", JsonSchemaType.Number, "Lowest price, inclusive.", "decimal"));
        operation.Parameters.Add(Query("maxPrice", JsonSchemaType.Number, "Highest price, inclusive.", "decimal"));
        operation.Parameters.Add(Query("isActive", JsonSchemaType.Boolean, "Only active (true) or inactive (false) products."));
        operation.Parameters.Add(Query("inStock", JsonSchemaType.Boolean, "Only products with stock (true) or without (false)."));
        operation.Parameters.Add(Query("sort", JsonSchemaType.String, "Sort order; ties are broken by id.", values: [.. ProductSort.All.Select(s => (JsonNode)s.Text)]));
        operation.Parameters.Add(Query("limit", JsonSchemaType.Integer, $"Page size, 1 to {ProductListQuery.MaxLimit} (default {ProductListQuery.DefaultLimit}).", "int32"));
        operation.Parameters.Add(Query("cursor", JsonSchemaType.String, "The previous page's nextCursor; valid only with the same filters and sort."));
    }
}
