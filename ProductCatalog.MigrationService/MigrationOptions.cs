namespace ProductCatalog.MigrationService;

public sealed class MigrationOptions
{
    public const string SectionName = "Catalog";

    /// <summary>Seed a small sample catalog when the database holds no product yet.</summary>
    public bool SeedSampleData { get; set; }

    /// <summary>
    /// After a successful run, stay idle until stopped instead of exiting. Azure Container Apps
    /// restarts a container app's process whenever it exits (even with code 0), so the deployed
    /// worker stays up once per revision: one migration run per deployment. Failures still exit 1,
    /// which makes the platform retry. The AppHost sets this in publish mode only.
    /// </summary>
    public bool KeepRunningAfterMigration { get; set; }
}
