using System.Collections.Frozen;
using Npgsql;

namespace ProductCatalog.Api.Products;

/// <summary>
/// How common a search is, from the search vector's statistics (PostgreSQL's most-common lexemes and
/// their frequencies, <c>pg_stats.most_common_elems</c>), read once per replica and refreshed every
/// <see cref="Refresh"/>. A listing asks before it picks its plan: a common query's matches are dense
/// in any order, so walking a sort index or the table finds a page's worth in a few hundred rows, while
/// the GIN index would first collect every match (50 ms for a word in 13 % of 1 M products, profiled).
/// </summary>
/// <remarks>
/// The planner knows the same frequencies but cannot act on them here: a one-word query is a prefix,
/// which it estimates at a flat 2 % past the list, and a LIMIT makes it prefer whichever plan is wrong
/// for the other kind. The query's words are matched to lexemes by prefix, not stemmed (a stem is a
/// prefix of its word in all but a few English endings): the share only chooses a plan, every plan
/// returns the same rows.
/// </remarks>
internal sealed partial class SearchStatistics(NpgsqlDataSource dataSource, TimeProvider time, ILogger<SearchStatistics> logger)
{
    /// <summary>From this share of all products up, a query counts as common (20 000 of 1 M: a page of 21 is about 1 000 rows into any order).</summary>
    public const double CommonShare = 0.02;

    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);

    // With the table's row count as the last analyze left it, to turn a share into a number of matches.
    private const string Sql = $"""
        SELECT s.lexeme, s.frequency, (SELECT greatest(c.reltuples, 0)::float8 FROM pg_class c WHERE c.oid = to_regclass('{CatalogTables.Products}'))
        FROM pg_stats st, unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS s(lexeme, frequency)
        WHERE st.schemaname = current_schema() AND st.tablename = '{CatalogTables.Products}' AND st.attname = 'search_vector'
            AND s.lexeme IS NOT NULL
        """;

    // A phrase's quotes separate its words too.
    private static readonly char[] s_separators = [.. SearchTerms.Spaces, '"'];

    private readonly Lock _lock = new();
    private Task<Snapshot>? _reading;
    private volatile Snapshot? _snapshot;

    /// <summary>How many products <paramref name="terms"/> are estimated to match; the share is null when a word is not among the common lexemes (a rare word).</summary>
    public async ValueTask<SearchEstimate> EstimateAsync(SearchTerms terms, CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.Read > Refresh)
        {
            var reading = Reading();
            // Stale, it is refreshed in the background and this request plans with what is known.
            snapshot ??= await reading.WaitAsync(ct);
        }

        return new SearchEstimate(Share(snapshot.Frequencies, terms), snapshot.Products);
    }

    /// <summary>Plans with <paramref name="frequencies"/> until the next refresh, as if read from the database (for tests of both plans).</summary>
    internal void Assume(IReadOnlyDictionary<string, float> frequencies, double products = 0) =>
        _snapshot = new Snapshot(frequencies.ToFrozenDictionary(StringComparer.Ordinal), products, time.GetUtcNow());

    /// <summary>
    /// The product of each word's frequency (words are taken as independent): a whole word's is its
    /// longest lexeme that is a prefix of it (the stem), the prefix word's also counts every lexeme it
    /// begins. Negated words do not narrow a search and are skipped; <c>or</c> widens it, so the share is unknown.
    /// </summary>
    internal static double? Share(IReadOnlyDictionary<string, float> frequencies, SearchTerms terms)
    {
        var words = Words(terms.Words);
        if (words is null)
        {
            return null;
        }

        var share = 1.0;
        foreach (var word in words)
        {
            if (Stem(frequencies, word) is not { } frequency)
            {
                return null;
            }

            share *= frequency;
        }

        if (terms.PrefixQuery is { } prefix)
        {
            var start = prefix[..^2].ToLowerInvariant();
            var begun = frequencies.Where(f => f.Key.StartsWith(start, StringComparison.Ordinal)).Sum(f => (double)f.Value);
            var frequency = Math.Max(begun, Stem(frequencies, start) ?? 0);
            if (frequency == 0)
            {
                return null;
            }

            share *= Math.Min(1, frequency);
        }

        return share;
    }

    private static List<string>? Words(string text)
    {
        List<string> words = [];
        foreach (var token in text.Split(s_separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith('-'))
            {
                continue;
            }

            if (SearchTerms.IsOr(token))
            {
                return null;
            }

            var start = 0;
            for (var i = 0; i <= token.Length; i++)
            {
                if (i == token.Length || !char.IsLetterOrDigit(token[i]))
                {
                    if (i > start)
                    {
                        words.Add(token[start..i].ToLowerInvariant());
                    }

                    start = i + 1;
                }
            }
        }

        return words;
    }

    // English stems drop at most a few letters ("junipers" -> "junip").
    private static float? Stem(IReadOnlyDictionary<string, float> frequencies, string word)
    {
        for (var length = word.Length; length >= Math.Max(2, word.Length - 4); length--)
        {
            if (frequencies.TryGetValue(word[..length], out var frequency))
            {
                return frequency;
            }
        }

        return null;
    }

    // One read at a time, shared by every request that waits for it.
    private Task<Snapshot> Reading()
    {
        lock (_lock)
        {
            return _reading is { IsCompleted: false } reading ? reading : _reading = ReadAsync();
        }
    }

    // No caller's token: the read is shared, and the command timeout bounds it.
    private async Task<Snapshot> ReadAsync()
    {
        Dictionary<string, float> frequencies = [];
        var products = 0d;
        try
        {
            await using var command = dataSource.CreateCommand(Sql);
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                frequencies[rows.GetString(0)] = rows.GetFloat(1);
                products = rows.IsDBNull(2) ? 0 : rows.GetDouble(2);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // Without statistics every query counts as rare (the index plans, right for all but common
            // words); tried again in 30 s.
            LogUnread(logger, ex.Message);
            return _snapshot = new Snapshot(
                _snapshot?.Frequencies ?? FrozenDictionary<string, float>.Empty, _snapshot?.Products ?? 0, time.GetUtcNow() - Refresh + TimeSpan.FromSeconds(30));
        }

        return _snapshot = new Snapshot(frequencies.ToFrozenDictionary(StringComparer.Ordinal), products, time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The search vector's statistics could not be read; searches plan as if every word were rare until the next try: {Reason}")]
    private static partial void LogUnread(ILogger logger, string reason);

    private sealed record Snapshot(FrozenDictionary<string, float> Frequencies, double Products, DateTimeOffset Read);
}

/// <summary>A query's estimated share of the products (null: a word is rare) and the products counted at the last analyze.</summary>
internal readonly record struct SearchEstimate(double? Share, double Products)
{
    /// <summary>At least <see cref="SearchStatistics.CommonShare"/>: its matches are dense in any order, so walks find them and the GIN index is not asked.</summary>
    public bool IsCommon => Share >= SearchStatistics.CommonShare;

    /// <summary>Every word is a common lexeme but together they are not: the GIN index reads long posting lists (a prefix's into a bitmap first).</summary>
    public bool ReadsLongPostings => Share is not null && !IsCommon;

    /// <summary>The estimated number of matches; 0 when not known.</summary>
    public double Matches => (Share ?? 0) * Products;
}
