using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Api.Http;

/// <summary>
/// <c>Idempotency-Key</c> support backed by PostgreSQL. The key is claimed with one
/// <c>INSERT ... ON CONFLICT</c> inside the write's own transaction: a concurrent request with the
/// same key blocks on the unique index until the first commits, then replays its response, so a
/// key writes at most once however many times it is sent.
/// </summary>
public static class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxKeyLength = 255;

    /// <summary>
    /// Reads the header: null when absent; an error message when malformed. The key is scoped to
    /// the caller, so one client can neither replay nor block another client's key.
    /// </summary>
    public static (string? Key, string? Error) Read(HttpRequest request)
    {
        var values = request.Headers[HeaderName];
        if (values.Count == 0)
        {
            return (null, null);
        }

        var key = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            return (null, $"{HeaderName} must be one value of 1 to {MaxKeyLength} visible ASCII characters.");
        }

        var caller = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CatalogSecurityExtensions.ClientKey(request.HttpContext))), 0, 12);
        return ($"{caller}:{key}", null);
    }

    /// <summary>The request's identity: the endpoint plus its body as the API understood it (whitespace and property order do not count).</summary>
    public static byte[] Hash<T>(string scope, T request, JsonSerializerOptions options) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + JsonSerializer.Serialize(request, options)));

    /// <summary>Claims <paramref name="key"/> in the current transaction: whether this request now owns it (go ahead and write), or what to answer instead.</summary>
    public static async Task<IdempotencyClaim> ClaimAsync(CatalogDbContext db, string key, byte[] hash, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var expiredBefore = now - IdempotencyRecord.Lifetime;
        var claimed = await db.Database.SqlQuery<int>(
            $"""
            INSERT INTO idempotency_keys (key, request_hash, status_code, created_at)
            VALUES ({key}, {hash}, 0, {now})
            ON CONFLICT (key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, status_code = 0, response_body = NULL,
                    location = NULL, etag = NULL, created_at = EXCLUDED.created_at
                WHERE idempotency_keys.created_at < {expiredBefore}
            RETURNING 1 AS "Value"
            """).ToListAsync(ct);
        if (claimed.Count == 1)
        {
            return IdempotencyClaim.Owned.Instance;
        }

        var stored = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Key == key, ct);
        if (!CryptographicOperations.FixedTimeEquals(stored.RequestHash, hash))
        {
            return IdempotencyClaim.Reused.Instance;
        }

        return new IdempotencyClaim.Answered(new StoredJsonResponse(stored.StatusCode, stored.ResponseBody ?? "", stored.Location, stored.ETag) { Replayed = true });
    }

    public static Task CompleteAsync(CatalogDbContext db, string key, StoredJsonResponse response, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync(
            $"""
            UPDATE idempotency_keys
            SET status_code = {response.StatusCode}, response_body = {response.Body}, location = {response.Location}, etag = {response.ETag}
            WHERE key = {key}
            """, ct);
}

/// <summary>What claiming an idempotency key found.</summary>
public abstract record IdempotencyClaim
{
    private IdempotencyClaim()
    {
    }

    /// <summary>The key is this request's now: write, and store the answer with it.</summary>
    public sealed record Owned : IdempotencyClaim
    {
        public static readonly Owned Instance = new();
    }

    /// <summary>An earlier request with this key and body was answered: replay that.</summary>
    public sealed record Answered(StoredJsonResponse Response) : IdempotencyClaim;

    /// <summary>An earlier request used this key with another body (422).</summary>
    public sealed record Reused : IdempotencyClaim
    {
        public static readonly Reused Instance = new();
    }
}
