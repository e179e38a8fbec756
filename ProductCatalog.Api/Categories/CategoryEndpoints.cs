using Microsoft.EntityFrameworkCore;
using Npgsql;
using ProductCatalog.Api.Events;
using ProductCatalog.Api.Http;
using ProductCatalog.Api.Security;
using ProductCatalog.Data;

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
            .Produces<List<CategoryResponse>>();

        categories.MapGet("/{id:int}", Get)
            .WithName("GetCategory")
            .WithSummary("Get a category")
            .Produces<CategoryResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var writes = categories.MapGroup("")
            .RequireAuthorization(CatalogAuthOptions.WritePolicy)
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        writes.MapPost("/", Create)
            .WithName("CreateCategory")
            .WithSummary("Create a category")
            .Produces<CategoryResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapPut("/{id:int}", Update)
            .WithName("UpdateCategory")
            .WithSummary("Rename or describe a category")
            .Produces<CategoryResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapDelete("/{id:int}", Delete)
            .WithName("DeleteCategory")
            .WithSummary("Delete a category that no product uses")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    private static async Task<IResult> List(CatalogDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Categories.AsNoTracking()
            .OrderBy(c => c.Name).ThenBy(c => c.Id)
            .Select(c => new CategoryResponse(c.Id, c.Name, c.Description, c.Products.Count))
            .ToListAsync(ct));

    private static async Task<IResult> Get(int id, CatalogDbContext db, CancellationToken ct)
    {
        var category = await Find(db, id).FirstOrDefaultAsync(ct);
        return category is null ? CatalogProblems.NotFound("category", id) : TypedResults.Ok(category);
    }

    private static async Task<IResult> Create(CategoryWriteRequest body, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (CategoryRules.Validate(body, errors) is not var (name, description))
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        // The category and its event commit together (the event needs the id the insert generates).
        return await TransactionalWrite.ExecuteAsync(db, async token =>
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
            db.CatalogEvents.Add(events.CategoryCreated(created));
            await db.SaveChangesAsync(token);
            return TypedResults.Created($"/api/v1/categories/{category.Id}", created);
        }, ct);
    }

    private static async Task<IResult> Update(int id, CategoryWriteRequest body, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (CategoryRules.Validate(body, errors) is not var (name, description))
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        return await TransactionalWrite.ExecuteAsync(db, async token =>
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
            db.CatalogEvents.Add(events.CategoryUpdated(updated));
            await db.SaveChangesAsync(token);
            return TypedResults.Ok(updated);
        }, ct);
    }

    private static Task<IResult> Delete(int id, CatalogDbContext db, ChangeEventRecorder events, CancellationToken ct) =>
        TransactionalWrite.ExecuteAsync(db, async token =>
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

            db.CatalogEvents.Add(events.CategoryDeleted(id));
            await db.SaveChangesAsync(token);
            return TypedResults.NoContent();
        }, ct);

    private static IQueryable<CategoryResponse> Find(CatalogDbContext db, int id) =>
        db.Categories.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new CategoryResponse(c.Id, c.Name, c.Description, c.Products.Count));
}
