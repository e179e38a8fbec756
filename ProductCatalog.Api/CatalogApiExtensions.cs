using ProductCatalog.Api.Health;

namespace ProductCatalog.Api;

public static class CatalogApiExtensions
{
    public static IHostApplicationBuilder AddCatalogApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // Ready only on a migrated schema: see CatalogSchemaHealthCheck.
        builder.Services.AddSingleton<CatalogSchemaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<CatalogSchemaHealthCheck>(CatalogSchemaHealthCheck.Name);
        return builder;
    }

    public static WebApplication UseCatalogApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
