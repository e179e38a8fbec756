using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.ObjectPool;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Opaque, tamper-evident keyset cursors: the last row's sort key and id, bound to the sort
/// and filters of the listing that made it, signed with HMAC-SHA256.
/// </summary>
public sealed class CursorCodec
{
    public const string SigningKeySetting = "Catalog:CursorSigningKey";

    private const int MacLength = 16;

    // Keyed HMAC instances, reused: HMACSHA256.HashData sets up a new OpenSSL context per call,
    // which cost more than the rest of encoding and checking a cursor (profiled on a cursor page).
    private readonly ObjectPool<HMACSHA256> _macs;

    public CursorCodec(byte[] key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, 16, nameof(key));
        _macs = new DefaultObjectPoolProvider().Create(new MacPolicy(key.ToArray()));
    }

    /// <summary>
    /// The key from configuration (every replica must share it, or cursors break across them);
    /// a random one per process when none is configured.
    /// </summary>
    public static CursorCodec FromConfiguration(IConfiguration configuration)
    {
        var configured = configuration[SigningKeySetting];
        return new CursorCodec(string.IsNullOrEmpty(configured)
            ? RandomNumberGenerator.GetBytes(32)
            : SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
    }

    public string Encode(KeysetCursor cursor)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(cursor, CursorJsonContext.Default.KeysetCursor);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(payload, mac);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac[..MacLength]);
    }

    /// <summary>Null when the text is not a cursor this service made (garbled, truncated or altered).</summary>
    public KeysetCursor? Decode(string text)
    {
        if (text.Length is 0 or > 1024)
        {
            return null;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !Base64Url.IsValid(text.AsSpan(0, dot)) || !Base64Url.IsValid(text.AsSpan(dot + 1)))
        {
            return null;
        }

        var payload = Base64Url.DecodeFromChars(text.AsSpan(0, dot));
        var mac = Base64Url.DecodeFromChars(text.AsSpan(dot + 1));
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(mac, expected[..MacLength]))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(payload, CursorJsonContext.Default.KeysetCursor);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Sign(ReadOnlySpan<byte> payload, Span<byte> mac)
    {
        var hmac = _macs.Get();
        try
        {
            hmac.TryComputeHash(payload, mac, out _);
        }
        finally
        {
            _macs.Return(hmac);
        }
    }

    private sealed class MacPolicy(byte[] key) : PooledObjectPolicy<HMACSHA256>
    {
        public override HMACSHA256 Create() => new(key);

        public override bool Return(HMACSHA256 obj) => true;
    }
}

/// <summary>
/// Where the next page starts. <c>Sort</c> and <c>Filter</c> pin the listing it belongs to; the
/// sort key is stored exactly (ticks, not a rounded timestamp; a rank as the <c>real</c> the server
/// computed) so the seek is exact. <c>Mode</c> keeps a similarity-fallback listing in that mode.
/// </summary>
public sealed record KeysetCursor(
    [property: JsonPropertyName("s")] string Sort,
    [property: JsonPropertyName("f")] string Filter,
    [property: JsonPropertyName("id")] Guid LastId,
    [property: JsonPropertyName("n")] string? LastName = null,
    [property: JsonPropertyName("p")] decimal? LastPrice = null,
    [property: JsonPropertyName("t")] long? LastCreatedTicks = null,
    [property: JsonPropertyName("r")] float? LastRank = null,
    [property: JsonPropertyName("m")] string? Mode = null);

[JsonSerializable(typeof(KeysetCursor))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CursorJsonContext : JsonSerializerContext;
