namespace ProductCatalog.Api;

public static class CatalogApiExtensions
{
    public static IHostApplicationBuilder AddCatalogApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static WebApplication UseCatalogApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
