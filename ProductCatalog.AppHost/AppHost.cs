using ProductCatalog.AppHost.Deployment;
using ProductCatalog.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var catalogDb = builder.AddCatalogPostgres("postgres", "catalogdb");

var migrations = builder.AddProject<Projects.ProductCatalog_MigrationService>("migrations")
    .PublishAsRunOnceWorker() // before WithReference: it decides which variables a reference adds
    .WithReference(catalogDb)
    .WaitFor(catalogDb)
    .WithEnvironment("Catalog__SeedSampleData", builder.Configuration["Catalog:SeedSampleData"] ?? "false");

builder.AddProject<Projects.ProductCatalog_Api>("api")
    .PublishAsContainerApp()
    .WithReference(catalogDb)
    .WaitForCompletion(migrations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.Build().Run();
