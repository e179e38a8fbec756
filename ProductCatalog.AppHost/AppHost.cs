using ProductCatalog.AppHost.Dashboard;
//#if (deploy == "aca")
using ProductCatalog.AppHost.Deployment;
//#endif
using ProductCatalog.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

var catalogDb = builder.AddCatalogPostgres("postgres", "catalogdb");

var migrations = builder.AddProject<Projects.ProductCatalog_MigrationService>("migrations")
    //#if (deploy == "aca")
    // Before WithReference: it decides which variables a reference adds.
    .PublishAsRunOnceWorker()
    //#endif
    .WithReference(catalogDb)
    .WaitFor(catalogDb)
    .WithEnvironment("Catalog__SeedSampleData", builder.Configuration["Catalog:SeedSampleData"] ?? "false")
    .WithCatalogMigrationsDashboard();

catalogDb.WithCatalogDatabaseDashboard(migrations);

// Signs keyset cursors; every API replica must share it.
var cursorSigningKey = builder.AddParameter("cursor-signing-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// Signs development bearer tokens (tests, local tools). Production trusts an OpenID Connect
// authority instead: set Catalog__Auth__Authority and Catalog__Auth__Audience on the api.
var authSigningKey = builder.AddParameter("auth-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);

builder.AddProject<Projects.ProductCatalog_Api>("api")
    //#if (deploy == "aca")
    .PublishAsContainerApp()
    //#endif
    .WithReference(catalogDb)
    .WithEnvironment("Catalog__CursorSigningKey", cursorSigningKey)
    .WithEnvironment("Catalog__Auth__SigningKey", authSigningKey)
    // The in-process read cache is only safe with one replica: on locally, off when deployed.
    .WithEnvironment("Catalog__ReadCache__Enabled", builder.ExecutionContext.IsRunMode ? "true" : "false")
    .WaitForCompletion(migrations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithCatalogApiDashboard();

builder.Build().Run();
