using Microsoft.Extensions.Configuration;

// `dotnet run --project ProductCatalog.AppHost -- token`: a development write token for the running app.
if (args is ["token", .. var tokenArgs])
{
    return DevelopmentToken.Run(tokenArgs, Console.Out, Console.Error);
}

CatalogSetupException.ExitWithMessageWhenThrown();
PublishArguments.ThrowIfIncomplete(args);
var builder = DistributedApplication.CreateBuilder(args);

var catalogDb = builder.AddCatalogPostgres(CatalogResourceNames.Postgres, CatalogResourceNames.CatalogDatabase);

var migrations = builder.AddProject<Projects.ProductCatalog_MigrationService>(CatalogResourceNames.Migrations)
    //#if (aca)
    // Before WithReference: it decides which variables a reference adds.
    .PublishAsRunOnceWorker()
    //#endif
    .WithReference(catalogDb)
    .WaitFor(catalogDb)
    .WithEnvironment(CatalogProjectSettings.SeedSampleData, builder.Configuration["Catalog:SeedSampleData"] ?? "false")
    .WithCatalogMigrationsDashboard();

catalogDb.WithCatalogDatabaseDashboard(migrations);

//#if (events)
// Change events. The api does not wait for the broker: writes go to the outbox, the relay retries.
var messaging = builder.AddCatalogMessaging(CatalogResourceNames.Messaging);

//#endif
// Signs keyset cursors; every API replica must share it.
var cursorSigningKey = builder.AddParameter(CatalogResourceNames.CursorSigningKey, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);

// Signs development bearer tokens (tests, `-- token`, the dashboard's "Get write token"); kept in
// user secrets so a token minted outside the app stays valid. Production trusts an OpenID Connect
// authority instead: set Catalog__Auth__Authority and Catalog__Auth__Audience on the api.
var authSigningKey = builder.AddParameter(CatalogResourceNames.AuthSigningKey, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

// Local runs and tests use the deployed shape: several replicas behind the orchestrator's proxy
// (Container Apps runs 2-10; see infra/api.tmpl.yaml).
var apiReplicas = builder.Configuration.GetValue("Catalog:Api:Replicas", 2);

var api = builder.AddProject<Projects.ProductCatalog_Api>(CatalogResourceNames.Api)
    .WithHttpPortFromConfiguration(FixedPorts.ApiHttpPortSetting)
    //#if (aca)
    .PublishAsContainerApp()
    //#endif
    .WithReference(catalogDb)
    //#if (events)
    .WithCatalogMessagingReference(messaging)
    //#endif
    .WithEnvironment(CatalogProjectSettings.CursorSigningKey, cursorSigningKey)
    .WithEnvironment(CatalogProjectSettings.AuthSigningKey, authSigningKey)
    .WaitForCompletion(migrations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithCatalogApiDashboard()
    .WithDevelopmentTokenCommand(authSigningKey);

if (builder.ExecutionContext.IsRunMode)
{
    // The container image sets it (ProductCatalog.Api.csproj); a local process gets the same malloc arenas here.
    api.WithReplicas(apiReplicas)
        .WithEnvironment("MALLOC_ARENA_MAX", "2");
}

FixedPorts.ThrowIfTaken(builder, api);
builder.Build().Run();
return 0;
