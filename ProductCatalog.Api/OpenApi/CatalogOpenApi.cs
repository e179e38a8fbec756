using Microsoft.OpenApi;

namespace ProductCatalog.Api.OpenApi;

internal static class CatalogOpenApi
{
    public static IServiceCollection AddCatalogOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ProductCatalog API",
                    Version = "v1",
                    Description = "Products and categories, with keyset paging, ETags, idempotent writes and RFC 9457 problems.",
                    License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
                    Contact = new OpenApiContact { Name = "ProductCatalog maintainers" },
                };
                return Task.CompletedTask;
            });
        });
}
