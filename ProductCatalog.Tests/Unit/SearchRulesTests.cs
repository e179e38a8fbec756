using Microsoft.AspNetCore.Http;

namespace ProductCatalog.Tests.Unit;

public sealed class SearchTermsTests
{
    [Theory]
    [InlineData("tent pe", "tent ", "pe:*")]
    [InlineData("pe", "", "pe:*")]
    [InlineData("Tent  PEGS ", "Tent  ", "PEGS:*")]
    [InlineData("schlafsäcke", "", "schlafsäcke:*")]
    [InlineData("2p tent", "2p ", "tent:*")]
    public void The_last_plain_word_is_a_prefix(string q, string words, string prefix)
    {
        Assert.Equal(new SearchTerms(words, prefix), SearchTerms.Parse(q));
    }

    [Theory]
    [InlineData("tent p")] // one letter: too many lexemes
    [InlineData("tent -pe")] // a negation
    [InlineData("\"tent pe")] // inside an open phrase
    [InlineData("tent or")] // web-search's operator
    [InlineData("tent or pe")] // "tent or pe:*" would need an OR of the two queries
    [InlineData("a & | ! ( ) :*")]
    [InlineData("pe:*")]
    [InlineData("x'); DROP TABLE products; --")]
    [InlineData("pe'")]
    [InlineData("pe\\")]
    [InlineData("pe<->")]
    public void Anything_but_a_plain_last_word_keeps_web_search_only(string q)
    {
        Assert.Equal(new SearchTerms(q, null), SearchTerms.Parse(q));
    }

    [Fact]
    public void The_sql_never_holds_the_callers_text()
    {
        var hostile = "x'); DROP TABLE products; -- pe";
        var filter = ProductSqlFilter.From(ProductListQuery.From(new ProductListRequest { Q = hostile, Tag = "t'", CategoryId = 3 }));

        Assert.Equal(
            "search_vector @@ (websearch_to_tsquery('english', $1) && to_tsquery('english', $2)) AND category_id = $3 AND tags @> ARRAY[$4]",
            filter.Where);
    }
}

public sealed class SearchQueryValidationTests
{
    private static IDictionary<string, string[]> Validate(string query, Action<IQueryCollection, ValidationErrors> validate)
    {
        var errors = new ValidationErrors();
        validate(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)), errors);
        return errors.ToDictionary();
    }

    [Fact]
    public void Relevance_needs_q()
    {
        Assert.Contains("sort", Validate("?sort=relevance", ProductListQuery.Validate).Keys);
        Assert.Empty(Validate("?sort=relevance&q=tent", ProductListQuery.Validate));
    }

    [Theory]
    [InlineData("?sort=name", "sort")]
    [InlineData("?limit=5", "limit")]
    [InlineData("?cursor=x", "cursor")]
    [InlineData("?colour=red", "colour")]
    [InlineData("?minPrice=5&maxPrice=1", "minPrice")]
    [InlineData("?q=%00", "q")]
    public void Facets_take_the_filters_only(string query, string field)
    {
        var errors = Validate(query, ProductListQuery.ValidateFacets);

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Facets_accept_every_filter()
    {
        Assert.Empty(Validate("?q=tent&categoryId=3&tag=x&minPrice=1.5&maxPrice=2&isActive=true&inStock=false", ProductListQuery.ValidateFacets));
    }

    [Fact]
    public void A_ranked_cursor_round_trips_its_rank_and_mode_exactly()
    {
        var codec = new CursorCodec(System.Text.Encoding.UTF8.GetBytes("a test key that is long enough!!"));
        var cursor = new KeysetCursor("relevance", "fp", Guid.CreateVersion7(), LastRank: 0.0833333358f, Mode: ProductSearch.SimilarityMode);

        var decoded = codec.Decode(codec.Encode(cursor));

        Assert.Equal(cursor, decoded);
        Assert.Equal(BitConverter.SingleToInt32Bits(cursor.LastRank!.Value), BitConverter.SingleToInt32Bits(decoded!.LastRank!.Value));
    }
}

public sealed class FacetEstimateTests
{
    private static readonly ProductFacets s_counted = new(
        50_001, [new CategoryFacet(1, "Tents", 25_000)], [new TagFacet("camping", 10_000)], new PriceRange(1m, 9m), new StockFacet(40_001, 10_000), Approximate: false);

    [Fact]
    public void Past_the_bound_the_counts_are_scaled_to_the_estimate()
    {
        var estimated = GetProductFacets.Estimated(s_counted, 500_010);

        Assert.True(estimated.Approximate);
        Assert.Equal(500_010, estimated.Total);
        Assert.Equal(250_000, Assert.Single(estimated.Categories).Count);
        Assert.Equal(100_000, Assert.Single(estimated.Tags).Count);
        Assert.Equal(new StockFacet(400_010, 100_000), estimated.InStock);
        Assert.Equal(s_counted.Price, estimated.Price);
    }

    [Fact]
    public void An_estimate_below_what_was_counted_keeps_the_count()
    {
        var estimated = GetProductFacets.Estimated(s_counted, 1_000);

        Assert.True(estimated.Approximate);
        Assert.Equal(50_001, estimated.Total);
        Assert.Equal(25_000, Assert.Single(estimated.Categories).Count);
    }
}

public sealed class SearchShareTests
{
    // As pg_stats lists them: stemmed lexemes ("junip", "prairi") with their share of the products.
    private static readonly Dictionary<string, float> s_common = new()
    {
        ["meadow"] = 0.13f,
        ["cobalt"] = 0.12f,
        ["junip"] = 0.10f,
        ["prairi"] = 0.05f,
        ["cob"] = 0.01f,
        ["tent"] = 0.5f,
    };

    [Theory]
    [InlineData("meadow", 0.13)] // one word is a prefix: every lexeme it begins
    [InlineData("meadows", 0.13)] // its stem, a prefix of the word
    [InlineData("co", 0.13)] // "cobalt" and "cob"
    [InlineData("meadow cobalt", 0.13 * 0.12)] // words taken as independent
    [InlineData("junipers prairie", 0.10 * 0.05)]
    [InlineData("meadow -cobalt", 0.13)] // a negation does not narrow
    [InlineData("\"meadow cobalt\"", 0.13 * 0.12)] // a phrase: both words
    public void A_search_of_common_lexemes_has_their_share(string q, double share)
    {
        Assert.Equal(share, SearchStatistics.Share(s_common, SearchTerms.Parse(q))!.Value, 5);
    }

    [Theory]
    [InlineData("kabefita")] // not among the common lexemes: rare, by how much unknown
    [InlineData("meadow kabefita")]
    [InlineData("meadow or cobalt")] // "or" widens a search
    public void A_search_with_a_rare_word_or_an_or_has_no_share(string q)
    {
        Assert.Null(SearchStatistics.Share(s_common, SearchTerms.Parse(q)));
    }

    [Fact]
    public void Without_statistics_no_search_is_common()
    {
        Assert.Null(SearchStatistics.Share(new Dictionary<string, float>(), SearchTerms.Parse("meadow")));
    }

    [Fact]
    public void A_prefix_that_begins_lexemes_of_half_the_products_or_more_is_capped_at_all_of_them()
    {
        var share = SearchStatistics.Share(new Dictionary<string, float> { ["tent"] = 0.7f, ["tenth"] = 0.6f }, SearchTerms.Parse("ten"));

        Assert.Equal(1.0, share);
    }

    [Theory]
    [InlineData(0.13, 1_000_000, true, false)] // common: walked, the GIN index is not asked
    [InlineData(0.0058, 1_000_000, false, true)] // common words, not together: long postings
    [InlineData(null, 1_000_000, false, false)] // a rare word: short postings
    public void A_searchs_plan_follows_its_estimated_share(double? share, double products, bool common, bool longPostings)
    {
        var estimate = new SearchEstimate(share, products);

        Assert.Equal((common, longPostings), (estimate.IsCommon, estimate.ReadsLongPostings));
        Assert.Equal((share ?? 0) * products, estimate.Matches);
    }
}
