namespace ProductCatalog.AppHost.Deployment;

public static class RunOnceWorkerExtensions
{
    /// <summary>Environment variable that makes the migration worker stay idle after a successful run.</summary>
    public const string KeepRunningVariable = "Catalog__KeepRunningAfterMigration";

    /// <summary>
    /// Publish mode only: Azure Container Apps restarts a container app whose process exits, even
    /// with code 0, so the deployed worker stays idle after migrating instead. Each deployment makes a
    /// new revision, whose start runs the migrations once; a failure still exits 1 and is retried.
    /// Run mode is unchanged: the worker exits and the API waits for that (WaitForCompletion).
    /// </summary>
    public static IResourceBuilder<ProjectResource> PublishAsRunOnceWorker(this IResourceBuilder<ProjectResource> worker)
    {
        if (worker.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            worker.WithEnvironment(KeepRunningVariable, "true");
        }

        return worker;
    }
}
