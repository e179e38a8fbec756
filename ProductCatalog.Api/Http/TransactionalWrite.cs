using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Runs a write in one transaction under the execution strategy (so transient faults are
/// retried as a whole). One rule decides for every write: a success (2xx) commits, anything else
/// (a problem) rolls back and leaves nothing behind, not even an idempotency key.
/// </summary>
public static class TransactionalWrite
{
    /// <summary>
    /// How long a commit may wait for the synchronous standby (docs/design.md, "Reads and
    /// failover") before the write is answered 503 instead.
    /// </summary>
    public static readonly TimeSpan CommitConfirmationTimeout = TimeSpan.FromSeconds(5);

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

    /// <summary>
    /// A write that is one SaveChanges, saved in a transaction of its own so that its commit is
    /// bounded like every other write's (a bare SaveChanges commits with the request's token,
    /// which PostgreSQL would turn into a local-only commit answered as success). Retried as a
    /// whole on transient faults, with the changes accepted only once committed.
    /// </summary>
    public static Task SaveConfirmedAsync(CatalogDbContext db, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, token);
            await CommitConfirmedAsync(transaction);
            db.ChangeTracker.AcceptAllChanges();
        }, ct);

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

            await CommitConfirmedAsync(transaction);
            committed?.Invoke();
            return result;
        }, ct);
    }

    /// <summary>
    /// Commits, or throws <see cref="CommitUnconfirmedException"/> once the commit has waited
    /// <see cref="CommitConfirmationTimeout"/> for a synchronous standby.
    /// </summary>
    /// <remarks>
    /// PostgreSQL ends a cancelled wait for the synchronous standby by committing locally and
    /// answering COMMIT with success and only a WARNING. So the request's own token never reaches
    /// the commit (a client that goes away must not turn its write into a local-only commit), and
    /// once this method has cancelled at the deadline no answer counts as confirmed, success
    /// included. The cancel leaves the connection usable; ending the session instead would make
    /// Npgsql mark the primary offline and clear its pool, failing every read for a second.
    /// </remarks>
    private static async Task CommitConfirmedAsync(IDbContextTransaction transaction)
    {
        using var deadline = new CancellationTokenSource(CommitConfirmationTimeout);
        try
        {
            await transaction.CommitAsync(deadline.Token);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
        {
            throw new CommitUnconfirmedException(ex);
        }

        if (deadline.IsCancellationRequested)
        {
            throw new CommitUnconfirmedException(null);
        }
    }
}

/// <summary>
/// A commit no standby confirmed in time; it may still have committed on the primary alone, so
/// the client is told 503 (retry, with the same Idempotency-Key), never success. Not retried by
/// the execution strategy: the transaction may have committed, so running the write again could
/// apply it twice.
/// </summary>
public sealed class CommitUnconfirmedException(Exception? inner)
    : Exception("The commit was not confirmed by a synchronous standby in time.", inner);
