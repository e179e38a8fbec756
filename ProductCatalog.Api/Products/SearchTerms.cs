namespace ProductCatalog.Api.Products;

/// <summary>
/// A search text split for type-ahead: <see cref="Words"/> go to <c>websearch_to_tsquery</c> (any
/// text is safe there), and the last word, when it is a plain word, also matches as a prefix
/// through <c>to_tsquery</c> with <see cref="PrefixQuery"/>.
/// </summary>
/// <remarks>
/// <c>to_tsquery</c> parses operators, so its text is never the caller's text: the prefix word is
/// letters and digits only (checked here), and <c>:*</c> is the one operator added. Anything else
/// (a quoted phrase, a negation, punctuation) keeps plain web-search semantics.
/// </remarks>
public sealed record SearchTerms(string Words, string? PrefixQuery)
{
    /// <summary>A one-letter prefix expands to a large share of all lexemes in the GIN index; it matches as a whole word only.</summary>
    public const int MinPrefixLength = 2;

    /// <summary>What separates the words of a search text.</summary>
    internal static readonly char[] Spaces = [' ', '\t', '\u00a0'];

    public static SearchTerms Parse(string q)
    {
        var text = q.TrimEnd();
        var start = text.LastIndexOfAny(Spaces) + 1;
        var last = text[start..];
        var rest = text[..start];
        if (last.Length < MinPrefixLength || !last.All(char.IsLetterOrDigit)
            || IsOr(last) || IsOr(rest.TrimEnd().Split(' ').LastOrDefault())
            || rest.Count(c => c == '"') % 2 == 1)
        {
            return new SearchTerms(q, null);
        }

        return new SearchTerms(rest, last + ":*");
    }

    // web-search syntax reads "or" as an operator; as the last word it is one being typed.
    internal static bool IsOr(string? word) => string.Equals(word, "or", StringComparison.OrdinalIgnoreCase);
}
