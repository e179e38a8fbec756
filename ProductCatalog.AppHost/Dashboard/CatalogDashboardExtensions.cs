using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ProductCatalog.AppHost.Dashboard;

/// <summary>
/// What the Aspire dashboard shows for each resource beyond its state: links that say where
/// to click, icons that say what a resource is, and Development-only commands.
/// </summary>
public static class CatalogDashboardExtensions
{
    public const string ApiReferencePath = "/scalar/v1";
    public const string OpenApiDocumentPath = "/openapi/v1.json";
    public const string HealthPath = "/health";
    public const string ResetDatabaseCommandName = "catalog-reset-database";
    public const string WriteTokenCommandName = "catalog-write-token";
    public const string PsqlPropertyName = "catalog.psql";
    public const string ManagementEndpointName = "management";

    /// <summary>
    /// The API's links: the base URL, the Scalar API reference and the OpenAPI document on the
    /// resources page; <c>/health</c> in the details pane.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCatalogApiDashboard(this IResourceBuilder<ProjectResource> api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return api
            .WithIconName("Globe")
            .WithUrls(context =>
            {
                var http = context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http")
                    ?? context.Urls.FirstOrDefault(u => u.Endpoint is not null);
                if (http is null || !Uri.TryCreate(http.Url, UriKind.Absolute, out var baseUri))
                {
                    return;
                }

                http.DisplayText = "API (http)";
                context.Urls.Add(Link(baseUri, ApiReferencePath, "API reference (Scalar)", http.Endpoint));
                context.Urls.Add(Link(baseUri, OpenApiDocumentPath, "OpenAPI document", http.Endpoint));
                var health = Link(baseUri, HealthPath, "Health (ready)", http.Endpoint);
                health.DisplayLocation = UrlDisplayLocation.DetailsOnly;
                context.Urls.Add(health);

                foreach (var other in context.Urls.Where(u => u.Endpoint?.EndpointName == "https"))
                {
                    other.DisplayText = "API (https)";
                    other.DisplayLocation = UrlDisplayLocation.DetailsOnly;
                }
            });
    }

    /// <summary>
    /// In Development, a "Get write token" command on the api: it mints a bearer token with the
    /// write scope, signed with <paramref name="signingKey"/>, and shows it in a dialog to copy.
    /// The same token comes from <c>dotnet run --project ProductCatalog.AppHost -- token</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDevelopmentTokenCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> signingKey)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(signingKey);
        var builder = api.ApplicationBuilder;
        if (!builder.Environment.IsDevelopment() || builder.ExecutionContext.IsPublishMode)
        {
            return api;
        }

        return api.WithCommand(
            WriteTokenCommandName,
            "Get write token",
            async context =>
            {
                var key = await signingKey.Resource.GetValueAsync(context.CancellationToken);
                if (string.IsNullOrEmpty(key))
                {
                    return CommandResults.Failure($"The {signingKey.Resource.Name} parameter has no value.");
                }

                var token = DevelopmentToken.Mint(key, DateTime.UtcNow);
                return CommandResults.Success(
                    $"A token with the scopes {DevelopmentToken.Scopes}, valid for {DevelopmentToken.Lifetime.TotalHours:0} hours: send it as 'Authorization: Bearer <token>'.",
                    token,
                    CommandResultFormat.Text,
                    displayImmediately: true);
            },
            new CommandOptions
            {
                Description = "Mints a development bearer token with the catalog.write and catalog.events scopes for calls to this api.",
                IconName = "Key",
                IsHighlighted = false,
            });
    }

    /// <summary>
    /// The broker: its management UI as the link on the resources page (log in as <c>guest</c> with the
    /// <c>messaging-password</c> parameter); the raw AMQP endpoint only in the details pane.
    /// </summary>
    public static IResourceBuilder<T> WithCatalogMessagingDashboard<T>(this IResourceBuilder<T> broker)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(broker);
        return broker
            .WithIconName("Mailbox")
            .WithUrls(context =>
            {
                foreach (var url in context.Urls)
                {
                    if (url.Endpoint?.EndpointName == ManagementEndpointName)
                    {
                        url.DisplayText = "Management UI";
                    }
                    else
                    {
                        url.DisplayLocation = UrlDisplayLocation.DetailsOnly;
                    }
                }
            });
    }

    /// <summary>The one-shot migration worker: an icon that says "database schema".</summary>
    public static IResourceBuilder<ProjectResource> WithCatalogMigrationsDashboard(this IResourceBuilder<ProjectResource> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        return migrations.WithIconName("DatabaseArrowRight");
    }

    /// <summary>
    /// For the database: a ready-to-paste <c>psql</c> command line (no password: it is the
    /// <c>postgres-password</c> parameter, and the full connection string is shown masked) and,
    /// in Development only, a "Reset database" command that empties the catalog and runs the
    /// migration worker again (which re-seeds the sample data when <c>Catalog:SeedSampleData</c> is on).
    /// </summary>
    public static IResourceBuilder<T> WithCatalogDatabaseDashboard<T>(
        this IResourceBuilder<T> database, IResourceBuilder<ProjectResource> migrations)
        where T : IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(migrations);
        var builder = database.ApplicationBuilder;

        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database.Resource, async (@event, ct) =>
        {
            var connectionString = await database.Resource.ConnectionStringExpression.GetValueAsync(ct);
            if (PsqlCommandLine(connectionString) is not { } psql)
            {
                return;
            }

            await @event.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(
                database.Resource, state => state with
                {
                    // Highlighted: shown in the details pane without "show all".
                    Properties = [.. state.Properties, new(PsqlPropertyName, psql) { DisplayName = "psql", IsHighlighted = true }],
                });
        });

        if (!builder.Environment.IsDevelopment() || builder.ExecutionContext.IsPublishMode)
        {
            return database;
        }

        return database.WithCommand(
            ResetDatabaseCommandName,
            "Reset database",
            context => ResetDatabaseAsync(database.Resource, migrations.Resource, context),
            new CommandOptions
            {
                Description = "Drops every table in the catalog database and runs the migration worker again.",
                ConfirmationMessage = "Delete all products and categories in catalogdb and re-run the migrations?",
                IconName = "DatabaseWarning",
                UpdateState = context => context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? ResourceCommandState.Enabled
                    : ResourceCommandState.Disabled,
            });
    }

    /// <summary><c>psql "host=... port=... dbname=... user=..."</c>, or null when the string has no host.</summary>
    internal static string? PsqlCommandLine(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return null;
        }

        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        return string.IsNullOrEmpty(parsed.Host)
            ? null
            : $"psql \"host={parsed.Host} port={parsed.Port} dbname={parsed.Database} user={parsed.Username}\"";
    }

    private static ResourceUrlAnnotation Link(Uri baseUri, string path, string text, EndpointReference? endpoint) =>
        new()
        {
            Url = new Uri(baseUri, path).ToString(),
            DisplayText = text,
            Endpoint = endpoint,
        };

    private static async Task<ExecuteCommandResult> ResetDatabaseAsync(
        IResourceWithConnectionString database, ProjectResource migrations, ExecuteCommandContext context)
    {
        var ct = context.CancellationToken;
        var connectionString = await database.ConnectionStringExpression.GetValueAsync(ct);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var drop = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", connection);
            await drop.ExecuteNonQueryAsync(ct);
        }

        var commands = context.Services.GetRequiredService<ResourceCommandService>();
        var restart = await commands.ExecuteCommandAsync(migrations, KnownResourceCommands.StartCommand, ct);
        return restart.Success
            ? CommandResults.Success("Catalog emptied; the migration worker is running again.")
            : CommandResults.Failure($"Catalog emptied, but the migration worker did not start: {restart.Message}");
    }
}
