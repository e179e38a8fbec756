using Microsoft.EntityFrameworkCore;
using ProductCatalog.Api.Caching;
using ProductCatalog.Api.Http;
using ProductCatalog.Data;

namespace ProductCatalog.Api.Products;

internal static partial class AdjustStock
{
    public const int MaxReasonLength = 500;

    public static async Task<IResult> Handle(
        Guid id, StockAdjustmentRequest body, CatalogDbContext db, ProductReadCache cache, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
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

        var now = ProductWriteSupport.Now(time);
        var change = (long)body.Delta!.Value;

        // One statement: PostgreSQL re-checks the WHERE on the newest row version under the row
        // lock, so concurrent adjustments can never take stock below zero (or past int.MaxValue).
        var updated = await db.Database.SqlQuery<int>(
            $"""
            UPDATE products SET stock_quantity = (stock_quantity + {change})::integer, updated_at = {now}
            WHERE id = {id} AND stock_quantity + {change} BETWEEN 0 AND {int.MaxValue}
            RETURNING stock_quantity AS "Value"
            """).ToListAsync(ct);

        if (updated.Count == 1)
        {
            cache.Invalidate(id);
            var logger = loggers.CreateLogger("ProductCatalog.Api.Products.StockAdjustments");
            LogAdjusted(logger, id, change, updated[0]);
            return TypedResults.Ok(new StockLevelResponse(id, updated[0]));
        }

        var current = await db.Products.Where(p => p.Id == id).Select(p => (int?)p.StockQuantity).FirstOrDefaultAsync(ct);
        return current switch
        {
            null => CatalogProblems.NotFound("product", id),
            _ when current + change < 0 => CatalogProblems.InsufficientStock(current.Value, body.Delta.Value),
            _ => CatalogProblems.Problem(StatusCodes.Status409Conflict, "stock-overflow", "Stock overflow",
                $"Adjusting stock {current} by {change} would exceed the maximum of {int.MaxValue}."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock of {ProductId} adjusted by {Delta} to {StockQuantity}")]
    private static partial void LogAdjusted(ILogger logger, Guid productId, long delta, int stockQuantity);
}
