using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

/// <summary>What every product write shares: the clock, category checks, and failure mapping.</summary>
internal static class ProductWriteSupport
{
    public const string SkuIndex = "ux_products_sku";
    public const string CategoryForeignKey = "fk_products_categories_category_id";

    /// <summary>Millisecond precision: what is stored is exactly what the API shows and pages by.</summary>
    public static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    public static async Task<ValidationProblem?> CheckCategoryAsync(CatalogDbContext db, int? categoryId, string field, CancellationToken ct) =>
        categoryId is { } id && !await db.Categories.AnyAsync(c => c.Id == id, ct)
            ? CatalogProblems.Validation(field, $"Category {id} does not exist.")
            : null;

    // The constraint violations a concurrent writer can still cause after our checks.
    public static bool IsDuplicateSku(DbUpdateException ex) => DatabaseErrors.IsUniqueViolation(ex, SkuIndex);

    public static bool IsMissingCategory(DbUpdateException ex) => DatabaseErrors.IsForeignKeyViolation(ex, CategoryForeignKey);

    public static ValidationProblem CategoryVanished() => CatalogProblems.Validation("categoryId", "The category does not exist (it may just have been deleted).");

    public static StoredJsonResponse Respond(int status, ProductResponse product, uint version, JsonSerializerOptions json, string? location = null) =>
        new(status, JsonSerializer.Serialize(product, json), location, ETags.For(version));
}
