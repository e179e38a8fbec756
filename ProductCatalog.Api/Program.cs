var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCatalogData();
builder.AddCatalogSchemaHealthCheck();
builder.AddCatalogApi();
builder.AddCatalogTelemetry();
builder.AddCatalogEvents();
builder.WithoutBackgroundWorkWhenGeneratingOpenApiDocument();

var app = builder.Build();

app.UseCatalogMetrics();
app.UseCatalogApi();
app.MapDefaultEndpoints();
app.MapProductEndpoints();
app.MapCategoryEndpoints();
app.MapEventEndpoints();

app.Run();

/// <summary>Entry point, public so integration tests can reference the assembly.</summary>
public partial class Program;
