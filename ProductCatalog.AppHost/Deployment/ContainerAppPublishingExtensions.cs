namespace ProductCatalog.AppHost.Deployment;

/// <summary>
/// What a catalog project looks like once published (manifest, azd, Azure Container Apps). Run mode
/// is untouched by everything here. ACA settings the manifest cannot carry (probes, replicas, scale
/// rules) live in the azd templates under <c>ProductCatalog.AppHost/infra/</c>.
/// </summary>
public static class ContainerAppPublishingExtensions
{
    /// <summary>Environment variable that makes the migration worker stay idle after a successful run.</summary>
    public const string KeepRunningVariable = "Catalog__KeepRunningAfterMigration";

    /// <summary>
    /// Publish mode only: a referenced database reaches the project as <c>ConnectionStrings__catalogdb</c>
    /// alone, not also as the split <c>CATALOGDB_*</c> variables (host, password, URI, ...), which the
    /// code never reads. One secret per app instead of three copies of the password, and the same
    /// variables whether PostgreSQL is the container or an external server.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsContainerApp(this IResourceBuilder<ProjectResource> project)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            project.WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString);
        }

        return project;
    }

    /// <summary>
    /// <see cref="PublishAsContainerApp"/>, and: Azure Container Apps restarts a container app whose
    /// process exits, even with code 0, so the deployed worker stays idle after migrating. Each
    /// deployment makes a new revision whose start runs the migrations once; a failure still exits 1
    /// and the platform retries it. Run mode is unchanged: the worker exits and the API waits for that.
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsRunOnceWorker(this IResourceBuilder<ProjectResource> worker)
    {
        worker.PublishAsContainerApp();
        if (worker.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            worker.WithEnvironment(KeepRunningVariable, "true");
        }

        return worker;
    }
}
