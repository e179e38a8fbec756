using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace ProductCatalog.Api.Http;

/// <summary>
/// Strong ETags from PostgreSQL's row version (xmin), which changes on every write to the row.
/// </summary>
public static class ETags
{
    public static string For(uint version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>
    /// Parses <c>If-Match</c>: <c>null</c> when absent, <see cref="IfMatch.Any"/> for <c>*</c>,
    /// otherwise the row versions it names (entity tags not made by this service match nothing).
    /// </summary>
    public static IfMatch ParseIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return IfMatch.Absent;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return IfMatch.Invalid;
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return IfMatch.Any;
        }

        // If-Match uses the strong comparison (RFC 9110 13.1.1): weak tags never match.
        var versions = tags.Where(t => !t.IsWeak).Select(t => TryParseVersion(t.Tag.Value)).OfType<uint>().ToArray();
        return new IfMatch(true, false, false, versions);
    }

    /// <summary>Weak comparison, as RFC 9110 13.1.2 asks for If-None-Match.</summary>
    public static bool IfNoneMatchMatches(HttpRequest request, uint version)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || TryParseVersion(t.Tag.Value) == version);
    }

    private static uint? TryParseVersion(string? quoted) =>
        quoted is { Length: > 2 } && uint.TryParse(quoted.AsSpan(1, quoted.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : null;
}

public sealed record IfMatch(bool Present, bool IsAny, bool IsInvalid, IReadOnlyList<uint> Versions)
{
    public static IfMatch Absent { get; } = new(false, false, false, []);

    public static IfMatch Any { get; } = new(true, true, false, []);

    public static IfMatch Invalid { get; } = new(true, false, true, []);

    /// <summary>The single version the client expects, when it named exactly one of ours.</summary>
    public uint? ExpectedVersion => Versions.Count == 1 ? Versions[0] : null;

    public bool Matches(uint current) => !Present || IsAny || Versions.Contains(current);
}
