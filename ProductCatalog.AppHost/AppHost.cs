using ProductCatalog.AppHost.Dashboard;
using ProductCatalog.AppHost.Deployment;
using ProductCatalog.AppHost.Postgres;
using ProductCatalog.AppHost.Setup;

// `dotnet run --project ProductCatalog.AppHost -- token`: a development write token for the running app.
if (args is ["token", .. var tokenArgs])
{
    return DevelopmentToken.Run(tokenArgs, Console.Out, Console.Error);
}

CatalogSetupException.ExitWithMessageWhenThrown();
PublishArguments.ThrowIfIncomplete(args);
var builder = DistributedApplication.CreateBuilder(args);

var catalogDb = builder.AddCatalogPostgres("postgres", "catalogdb");

var migrations = builder.AddProject<Projects.ProductCatalog_MigrationService>("migrations")
    .PublishAsRunOnceWorker() // before WithReference: it decides which variables a reference adds
    .WithReference(catalogDb)
    .WaitFor(catalogDb)
    .WithEnvironment("Catalog__SeedSampleData", builder.Configuration["Catalog:SeedSampleData"] ?? "false")
    .WithCatalogMigrationsDashboard();

catalogDb.WithCatalogDatabaseDashboard(migrations);

// Signs keyset cursors; every API replica must share it.
var cursorSigningKey = builder.AddParameter("cursor-signing-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// Signs development bearer tokens (tests, `-- token`, the dashboard's "Get write token"); kept in
// user secrets so a token minted outside the app stays valid. Production trusts an OpenID Connect
// authority instead: set Catalog__Auth__Authority and Catalog__Auth__Audience on the api.
var authSigningKey = builder.AddParameter(DevelopmentToken.SigningKeyParameter, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

var api = builder.AddProject<Projects.ProductCatalog_Api>("api")
    .WithHttpPortFromConfiguration(FixedPorts.ApiHttpPortSetting)
    .PublishAsContainerApp()
    .WithReference(catalogDb)
    .WithEnvironment("Catalog__CursorSigningKey", cursorSigningKey)
    .WithEnvironment("Catalog__Auth__SigningKey", authSigningKey)
    // The in-process read cache is only safe with one replica: on locally, off when deployed.
    .WithEnvironment("Catalog__ReadCache__Enabled", builder.ExecutionContext.IsRunMode ? "true" : "false")
    .WaitForCompletion(migrations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithCatalogApiDashboard()
    .WithDevelopmentTokenCommand(authSigningKey);

FixedPorts.ThrowIfTaken(builder, api);
builder.Build().Run();
return 0;
