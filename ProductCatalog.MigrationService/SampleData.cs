namespace ProductCatalog.MigrationService;

/// <summary>A small catalog so that a fresh <c>dotnet run</c> has something to show.</summary>
internal static class SampleData
{
    public static List<Product> Create(DateTimeOffset now)
    {
        var outdoor = new Category { Name = "Outdoor", Description = "Tents, packs and trail gear" };
        var kitchen = new Category { Name = "Kitchen", Description = "Cookware and tools" };
        var books = new Category { Name = "Books" };

        return
        [
            Make("SAMPLE-TENT-2P", "Two-person trekking tent", "Free-standing, 1.4 kg, three seasons.", 249.00m, outdoor, ["camping", "shelter"], 12),
            Make("SAMPLE-PACK-45", "45 L backpack", "Adjustable back system with rain cover.", 139.95m, outdoor, ["hiking", "bags"], 30),
            Make("SAMPLE-STOVE", "Canister stove", null, 44.50m, outdoor, ["camping", "cooking"], 0),
            Make("SAMPLE-PAN-28", "Cast-iron skillet 28 cm", "Pre-seasoned, oven safe.", 59.00m, kitchen, ["cooking"], 8),
            Make("SAMPLE-KNIFE-CHEF", "Chef's knife 20 cm", "Stainless steel, full tang.", 89.90m, kitchen, ["knives"], 5),
            Make("SAMPLE-BOOK-PG", "PostgreSQL internals", "How the planner and the storage engine work.", 42.00m, books, ["databases"], 100),
        ];

        Product Make(string sku, string name, string? description, decimal price, Category category, List<string> tags, int stock) => new()
        {
            Id = Guid.CreateVersion7(now),
            Sku = sku,
            Name = name,
            Description = description,
            Price = price,
            Currency = "USD",
            Category = category,
            Tags = tags,
            StockQuantity = stock,
            IsActive = true,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
