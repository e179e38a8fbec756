namespace ProductCatalog.MigrationService;

public sealed class MigrationOptions
{
    public const string SectionName = "Catalog";

    /// <summary>Seed a small sample catalog when the database holds no product yet.</summary>
    public bool SeedSampleData { get; set; }
}
