using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Runs a write in one transaction under the execution strategy (so transient faults are
/// retried as a whole), with the optional idempotency key claimed in that same transaction.
/// A write that answers with a <see cref="StoredJsonResponse"/> commits; any other answer
/// (a problem) rolls back and leaves nothing behind, not even the key.
/// </summary>
public static class TransactionalWrite
{
    /// <remarks><c>committed</c> runs once the write has committed (not for a replay or a problem): where its outcome is recorded.</remarks>
    public static Task<IResult> ExecuteAsync(
        CatalogDbContext db, string? idempotencyKey, byte[]? requestHash, Func<CancellationToken, Task<IResult>> write, Action? committed, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async token =>
        {
            // A retried attempt must not carry entities tracked by the failed one.
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);

            if (idempotencyKey is not null && await IdempotencyKeys.ClaimAsync(db, idempotencyKey, requestHash!, token) is { } earlier)
            {
                return earlier;
            }

            var result = await write(token);
            if (result is not StoredJsonResponse response)
            {
                return result;
            }

            if (idempotencyKey is not null)
            {
                await IdempotencyKeys.CompleteAsync(db, idempotencyKey, response, token);
            }

            await transaction.CommitAsync(token);
            committed?.Invoke();
            return result;
        }, ct);
    }

    /// <summary>
    /// A write without an idempotency key that changes more than one row (the change and its
    /// event): one transaction under the execution strategy, committed only when the answer is a
    /// success (2xx); a problem rolls everything back.
    /// </summary>
    public static Task<TResult> ExecuteAsync<TResult>(CatalogDbContext db, Func<CancellationToken, Task<TResult>> write, CancellationToken ct)
        where TResult : IResult => ExecuteAsync(db, write, null, ct);

    /// <summary>As above; <c>committed</c> runs once a 2xx answer has committed: where the write's outcome is recorded.</summary>
    public static Task<TResult> ExecuteAsync<TResult>(CatalogDbContext db, Func<CancellationToken, Task<TResult>> write, Action? committed, CancellationToken ct)
        where TResult : IResult
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await write(token);
            // Typed results (Results<...>) wrap the answer that carries the status.
            var answer = result is INestedHttpResult nested ? nested.Result : result;
            if (answer is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 })
            {
                await transaction.CommitAsync(token);
                committed?.Invoke();
            }

            return result;
        }, ct);
    }
}
