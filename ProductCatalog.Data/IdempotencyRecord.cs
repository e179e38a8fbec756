namespace ProductCatalog.Data;

/// <summary>
/// The first successful response to a write sent with an <c>Idempotency-Key</c>; replayed for
/// the same key and request within <see cref="Lifetime"/>.
/// </summary>
public sealed class IdempotencyRecord
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The client's key, scoped by the caller's identity (see IdempotencyStore).</summary>
    public required string Key { get; set; }

    /// <summary>SHA-256 of the method, path and canonical request body.</summary>
    public required byte[] RequestHash { get; set; }

    public int StatusCode { get; set; }

    public string? ResponseBody { get; set; }

    public string? Location { get; set; }

    public string? ETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
