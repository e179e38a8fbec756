namespace ProductCatalog.Data;

/// <summary>
/// The distinct words of product names (letters only, lower case, 3 to 40 letters), which the
/// search's typo fallback corrects a query's unknown words against. Kept by statement triggers on
/// products (migration <c>SearchVocabulary</c>), not by the model: words are only ever added, so a
/// renamed product's old words stay (a correction to a word no product has then finds nothing, as
/// an uncorrected word would).
/// </summary>
public static class ProductWords
{
    public const string Table = "product_words";

    /// <summary>The sorted letters of a word: a transposition keeps them, so it is found by one index lookup.</summary>
    public const string LettersKey = "catalog_letters_key";
}
