using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ProductCatalog.Api.Categories;

public static class CategoryEndpoints
{
    public const string NameIndex = "ux_categories_normalized_name";

    public static IEndpointRouteBuilder MapCategoryEndpoints(this IEndpointRouteBuilder app)
    {
        var categories = app.MapGroup("/api/v1/categories")
            .WithTags("Categories")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        categories.MapGet("/", List)
            .WithName("ListCategories")
            .WithSummary("List all categories by name, with their product counts")
            .DescribesResponse(StatusCodes.Status200OK, "Every category, by name.");

        categories.MapGet("/{id:int}", Get)
            .WithName("GetCategory")
            .WithSummary("Get a category")
            .DescribesResponse(StatusCodes.Status200OK, "The category, with the number of products in it.");

        var authorized = categories.MapGroup("")
            .RequireAuthorization(CatalogAuthOptions.WritePolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        // Only a request with a body can be over the body limit (413): DELETE cannot.
        var writes = authorized.MapGroup("")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        var deletes = authorized.MapGroup("")
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        writes.MapPost("/", Create)
            .WithName("CreateCategory")
            .WithSummary("Create a category")
            .WithRequestExample("Outdoor", Example())
            .ProducesHeader(StatusCodes.Status201Created, "Location")
            .DescribesResponse(StatusCodes.Status201Created, "Created.")
            .DescribesResponse(StatusCodes.Status409Conflict, "A category with this name (compared case-insensitively) already exists.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapPut("/{id:int}", Update)
            .WithName("UpdateCategory")
            .WithSummary("Rename or describe a category")
            .WithRequestExample("Outdoor", Example())
            .DescribesResponse(StatusCodes.Status200OK, "The category as stored now.")
            .DescribesResponse(StatusCodes.Status409Conflict, "Another category already has this name (compared case-insensitively).")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        deletes.MapDelete("/{id:int}", Delete)
            .WithName("DeleteCategory")
            .WithSummary("Delete a category that no product uses")
            .DescribesResponse(StatusCodes.Status204NoContent, "Deleted.")
            .DescribesResponse(StatusCodes.Status409Conflict, "Products still use this category; move or delete them first.");

        return app;
    }

    private static JsonObject Example() => new() { ["name"] = "Outdoor", ["description"] = "Tents, mats and everything for a night outside." };

    private static async Task<Ok<List<CategoryResponse>>> List(CatalogDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Categories.AsNoTracking()
            .OrderBy(c => c.Name).ThenBy(c => c.Id)
            .Select(c => new CategoryResponse(c.Id, c.Name, c.Description, c.Products.Count))
            .ToListAsync(ct));

    private static async Task<Results<Ok<CategoryResponse>, NotFoundProblem>> Get(int id, CatalogDbContext db, CancellationToken ct)
    {
        var category = await Find(db, id).FirstOrDefaultAsync(ct);
        return category is null ? CatalogProblems.NotFound("category", id) : TypedResults.Ok(category);
    }

    private static async Task<Results<Created<CategoryResponse>, ValidationProblem, ConflictProblem>> Create(CategoryWriteRequest body, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (CategoryRules.Validate(body, errors) is not var (name, description))
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        // The category and its event commit together (the event needs the id the insert generates).
        return await TransactionalWrite.ExecuteAsync<Results<Created<CategoryResponse>, ValidationProblem, ConflictProblem>>(db, async token =>
        {
            var category = new Category { Name = name, Description = description };
            db.Categories.Add(category);
            try
            {
                await db.SaveChangesAsync(token);
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, NameIndex))
            {
                return CatalogProblems.DuplicateCategoryName(name);
            }

            var created = new CategoryResponse(category.Id, category.Name, category.Description, 0);
            events.Record(db, e => e.CategoryCreated(created));

            await db.SaveChangesAsync(token);
            return TypedResults.Created($"/api/v1/categories/{category.Id}", created);
        }, committed: null, ct);
    }

    private static async Task<Results<Ok<CategoryResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>> Update(int id, CategoryWriteRequest body, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (CategoryRules.Validate(body, errors) is not var (name, description))
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        return await TransactionalWrite.ExecuteAsync<Results<Ok<CategoryResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>>(db, async token =>
        {
            var category = await db.Categories.FirstOrDefaultAsync(c => c.Id == id, token);
            if (category is null)
            {
                return CatalogProblems.NotFound("category", id);
            }

            category.Name = name;
            category.Description = description;
            try
            {
                await db.SaveChangesAsync(token);
            }
            catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex, NameIndex))
            {
                return CatalogProblems.DuplicateCategoryName(name);
            }

            // Recorded after the UPDATE took the row lock: in commit order with this category's other events.
            var updated = await Find(db, id).FirstAsync(token);
            events.Record(db, e => e.CategoryUpdated(updated));

            await db.SaveChangesAsync(token);
            return TypedResults.Ok(updated);
        }, committed: null, ct);
    }

    private static Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Delete(int id, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct) =>
        TransactionalWrite.ExecuteAsync<Results<NoContent, NotFoundProblem, ConflictProblem>>(db, async token =>
        {
            try
            {
                var deleted = await db.Categories.Where(c => c.Id == id).ExecuteDeleteAsync(token);
                if (deleted == 0)
                {
                    return CatalogProblems.NotFound("category", id);
                }
            }
            catch (PostgresException ex) when (ex.SqlState == DatabaseErrors.ForeignKeyViolation)
            {
                // The foreign key, not a prior count, decides: a product added concurrently still blocks the delete.
                return CatalogProblems.CategoryInUse(id);
            }

            events.Record(db, e => e.CategoryDeleted(id));

            await db.SaveChangesAsync(token);
            return TypedResults.NoContent();
        }, committed: null, ct);

    private static IQueryable<CategoryResponse> Find(CatalogDbContext db, int id) =>
        db.Categories.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new CategoryResponse(c.Id, c.Name, c.Description, c.Products.Count));
}
