using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Runs a write in one transaction under the execution strategy (so transient faults are
/// retried as a whole). One rule decides for every write: a success (2xx) commits, anything else
/// (a problem) rolls back and leaves nothing behind, not even an idempotency key.
/// </summary>
public static class TransactionalWrite
{
    /// <remarks><c>committed</c> runs once a success has committed: where the write's outcome is recorded.</remarks>
    public static Task<TResult> ExecuteAsync<TResult>(CatalogDbContext db, Func<CancellationToken, Task<TResult>> write, Action? committed, CancellationToken ct)
        where TResult : IResult => RunAsync(db, write, beforeCommit: null, committed, ct);

    /// <summary>
    /// A create that takes an <c>Idempotency-Key</c> (<paramref name="key"/> null: none was sent):
    /// the key is claimed in the write's own transaction and the answer stored with it, so the same
    /// key replays that answer (written nothing again) and a different body under it is 422.
    /// </summary>
    public static Task<Results<StoredCreated<TValue>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>> ExecuteAsync<TValue>(
        CatalogDbContext db,
        string? key,
        byte[]? requestHash,
        Func<CancellationToken, Task<Results<StoredCreated<TValue>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>>> write,
        Action? committed,
        CancellationToken ct)
    {
        if (key is null)
        {
            return RunAsync(db, write, beforeCommit: null, committed, ct);
        }

        return RunAsync(
            db,
            async token => await IdempotencyKeys.ClaimAsync(db, key, requestHash!, token) switch
            {
                IdempotencyClaim.Reused => CatalogProblems.IdempotencyKeyReused(),
                IdempotencyClaim.Answered earlier => new StoredCreated<TValue>(earlier.Response),
                _ => await write(token),
            },
            (result, token) => IdempotencyKeys.CompleteAsync(db, key, ((IStoredJsonResult)result.Result).Response, token),
            committed,
            ct);
    }

    private static Task<TResult> RunAsync<TResult>(
        CatalogDbContext db, Func<CancellationToken, Task<TResult>> write, Func<TResult, CancellationToken, Task>? beforeCommit, Action? committed, CancellationToken ct)
        where TResult : IResult
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(async token =>
        {
            // A retried attempt must not carry entities tracked by the failed one.
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var result = await write(token);

            // Typed results (Results<...>) wrap the answer that carries the status. A replay wrote
            // nothing, so there is nothing to commit and no outcome to record.
            var answer = result is INestedHttpResult nested ? nested.Result : result;
            if (answer is not IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } || answer is IStoredJsonResult { Response.Replayed: true })
            {
                return result;
            }

            if (beforeCommit is not null)
            {
                await beforeCommit(result, token);
            }

            await transaction.CommitAsync(token);
            committed?.Invoke();
            return result;
        }, ct);
    }
}
