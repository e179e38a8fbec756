using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Products;

internal static partial class AdjustStock
{
    public const int MaxReasonLength = 500;

    public static async Task<Results<Ok<StockLevelResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>> Handle(
        Guid id, StockAdjustmentRequest body, [AsParameters] ProductWriteServices services, ILoggerFactory loggers, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (body.Delta is not { } delta)
        {
            errors.Add("delta", "Required.");
        }
        else if (delta == 0)
        {
            errors.Add("delta", "Must not be 0.");
        }

        if (body.Reason is { } reason && (reason.Length > MaxReasonLength || TextRules.HasForbiddenCharacters(reason)))
        {
            errors.Add("reason", $"At most {MaxReasonLength} characters, no control characters.");
        }

        if (!errors.IsEmpty)
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        var requested = body.Delta!.Value;
        var change = (long)requested;

        // The adjustment and its event commit together; a refused adjustment changes nothing.
        var db = services.Db;
        var result = await TransactionalWrite.ExecuteAsync<Results<Ok<StockLevelResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>>(db, async token =>
        {
            var now = ProductWriteSupport.Now(services.Time);

            // One statement: PostgreSQL re-checks the WHERE on the newest row version under the row
            // lock, so concurrent adjustments can never take stock below zero (or past int.MaxValue).
            var updated = await db.Database.SqlQuery<int>(
                $"""
                UPDATE products SET stock_quantity = (stock_quantity + {change})::integer, updated_at = {now}
                WHERE id = {id} AND stock_quantity + {change} BETWEEN 0 AND {int.MaxValue}
                RETURNING stock_quantity AS "Value"
                """).ToListAsync(token);

            if (updated.Count == 1)
            {
                // Recorded under the row lock the UPDATE took, so in commit order with this product's other events.
                services.Events.Record(db, e => e.StockChanged(id, updated[0], requested, body.Reason, now));

                await db.SaveChangesAsync(token);
                var logger = loggers.CreateLogger("ProductCatalog.Api.Products.StockAdjustments");
                LogAdjusted(logger, id, change, updated[0]);
                return TypedResults.Ok(new StockLevelResponse(id, updated[0]));
            }

            return await Refusal(id, requested, db, token);
        }, services.Metrics.StockAdjusted, ct);

        // After the commit: a read between an earlier eviction and the commit would cache the old level again.
        services.Cache.Invalidate(id);
        return result;
    }

    private static async Task<Results<Ok<StockLevelResponse>, ValidationProblem, NotFoundProblem, ConflictProblem>> Refusal(Guid id, int delta, CatalogDbContext db, CancellationToken ct)
    {
        var change = (long)delta;
        var current = await db.Products.Where(p => p.Id == id).Select(p => (int?)p.StockQuantity).FirstOrDefaultAsync(ct);
        return current switch
        {
            null => CatalogProblems.NotFound("product", id),
            _ when current + change < 0 => CatalogProblems.InsufficientStock(current.Value, delta),
            _ => CatalogProblems.Conflict("stock-overflow", "Stock overflow",
                $"Adjusting stock {current} by {change} would exceed the maximum of {int.MaxValue}."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock of {ProductId} adjusted by {Delta} to {StockQuantity}")]
    private static partial void LogAdjusted(ILogger logger, Guid productId, long delta, int stockQuantity);
}
