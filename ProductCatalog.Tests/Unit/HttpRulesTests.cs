using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace ProductCatalog.Tests.Unit;

public sealed class CursorCodecTests
{
    private readonly CursorCodec _codec = new(Encoding.UTF8.GetBytes("a test key that is long enough!!"));

    [Fact]
    public void A_cursor_round_trips_exactly()
    {
        var cursor = new KeysetCursor("-createdAt", "fp", Guid.CreateVersion7(), LastCreatedTicks: 638_700_000_000_123_456);

        Assert.Equal(cursor, _codec.Decode(_codec.Encode(cursor)));
    }

    [Fact]
    public void Any_change_to_a_cursor_is_detected()
    {
        var text = _codec.Encode(new KeysetCursor("name", "fp", Guid.CreateVersion7(), LastName: "x"));

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '.')
            {
                continue;
            }

            var altered = text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
            Assert.Null(_codec.Decode(altered));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("!!!.???")]
    public void Garbage_is_not_a_cursor(string text)
    {
        Assert.Null(_codec.Decode(text));
    }

    [Fact]
    public void A_cursor_from_another_key_is_rejected()
    {
        var other = new CursorCodec(Encoding.UTF8.GetBytes("another key, also long enough!!!"));

        Assert.Null(_codec.Decode(other.Encode(new KeysetCursor("name", "fp", Guid.Empty, LastName: "x"))));
    }
}

public sealed class ListQueryTests
{
    private static IDictionary<string, string[]> Validate(string query)
    {
        var errors = new ValidationErrors();
        ProductListQuery.Validate(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query)), errors);
        return errors.ToDictionary();
    }

    private static ProductListQuery From(ProductListRequest request) => ProductListQuery.From(request);

    [Fact]
    public void Defaults_are_name_and_twenty()
    {
        var query = From(new ProductListRequest());

        Assert.Equal("name", query.Sort.Text);
        Assert.Equal(20, query.Limit);
    }

    [Fact]
    public void Tags_are_compared_lower_cased_and_trimmed()
    {
        Assert.Equal("even", From(new ProductListRequest { Tag = " EVEN " }).Tag);
    }

    [Fact]
    public void The_fingerprint_ignores_limit_and_cursor_but_not_filters()
    {
        var a = From(new ProductListRequest { CategoryId = 3, Limit = 5 }).Fingerprint();

        Assert.Equal(a, From(new ProductListRequest { CategoryId = 3, Limit = 50, Cursor = "x" }).Fingerprint());
        Assert.NotEqual(a, From(new ProductListRequest { CategoryId = 4 }).Fingerprint());
        Assert.NotEqual(a, From(new ProductListRequest { CategoryId = 3, Sort = ProductSort.All[2] }).Fingerprint());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?q=tent&categoryId=3&tag=x&minPrice=1.5&maxPrice=2&isActive=true&inStock=false&sort=-price&limit=100&cursor=x")]
    public void Valid_parameters_pass(string query)
    {
        Assert.Empty(Validate(query));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?minPrice=1,5", "minPrice")]
    [InlineData("?minPrice=-1", "minPrice")]
    [InlineData("?q=%00", "q")]
    [InlineData("?tag=" + "tttttttttttttttttttttttttttttttttttttttttttttttttttt", "tag")]
    [InlineData("?nope=1", "nope")]
    public void Invalid_parameters_are_reported(string query, string field)
    {
        Assert.Contains(field, Validate(query).Keys);
    }
}

public sealed class MergePatchTests
{
    [Fact]
    public void Rfc7396_examples()
    {
        var target = JsonNode.Parse("""{"a":"b","c":{"d":"e","f":"g"},"keep":[1,2]}""")!.AsObject();

        MergePatch.Apply(target, JsonNode.Parse("""{"a":"z","c":{"f":null},"keep":[3],"new":{"x":1}}""")!.AsObject());

        Assert.Equal("""{"a":"z","c":{"d":"e"},"keep":[3],"new":{"x":1}}""", target.ToJsonString());
    }

    [Fact]
    public void Null_removes_a_member()
    {
        var target = JsonNode.Parse("""{"description":"x","name":"n"}""")!.AsObject();

        MergePatch.Apply(target, JsonNode.Parse("""{"description":null}""")!.AsObject());

        Assert.Equal("""{"name":"n"}""", target.ToJsonString());
    }
}

public sealed class ETagTests
{
    private static HttpRequest Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers[header] = value;
        return context.Request;
    }

    [Fact]
    public void If_match_compares_strongly()
    {
        Assert.True(ETags.ParseIfMatch(Request("If-Match", "\"42\"")).Matches(42));
        Assert.True(ETags.ParseIfMatch(Request("If-Match", "\"1\", \"42\"")).Matches(42));
        Assert.True(ETags.ParseIfMatch(Request("If-Match", "*")).Matches(42));
        Assert.False(ETags.ParseIfMatch(Request("If-Match", "W/\"42\"")).Matches(42));
        Assert.False(ETags.ParseIfMatch(Request("If-Match", "\"41\"")).Matches(42));
        Assert.False(ETags.ParseIfMatch(Request("If-Match", "garbage")).Matches(42));
        Assert.True(ETags.ParseIfMatch(new DefaultHttpContext().Request).Matches(42));
    }

    [Fact]
    public void If_none_match_compares_weakly()
    {
        Assert.True(ETags.IfNoneMatchMatches(Request("If-None-Match", "W/\"42\""), 42));
        Assert.True(ETags.IfNoneMatchMatches(Request("If-None-Match", "*"), 42));
        Assert.False(ETags.IfNoneMatchMatches(Request("If-None-Match", "\"41\""), 42));
    }
}

public sealed class TextAndScopeRulesTests
{
    [Theory]
    [InlineData("plain", false, false)]
    [InlineData("emoji 🙂", false, false)]
    [InlineData("tab\there", false, true)]
    [InlineData("tab\there", true, false)]
    [InlineData("nul\0", true, true)]
    public void Forbidden_characters(string text, bool multiLine, bool forbidden)
    {
        Assert.Equal(forbidden, TextRules.HasForbiddenCharacters(text, multiLine));
    }

    [Fact]
    public void Unpaired_surrogates_are_forbidden()
    {
        // Built in code: attribute arguments are stored as UTF-8, which cannot hold a lone surrogate.
        Assert.True(TextRules.HasForbiddenCharacters("lone " + (char)0xD800));
        Assert.True(TextRules.HasForbiddenCharacters((char)0xDC00 + " low first"));
        Assert.True(TextRules.HasForbiddenCharacters("high at end " + (char)0xD83D));
    }

    [Theory]
    [InlineData("scope", "catalog.read catalog.write", true)]
    [InlineData("scp", "catalog.write", true)]
    [InlineData("scope", "catalog.writer", false)]
    [InlineData("roles", "catalog.write", false)]
    public void Write_scope_is_read_from_scope_or_scp(string claim, string value, bool allowed)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(claim, value)], "test"));

        Assert.Equal(allowed, CatalogSecurityExtensions.HasScope(user, "catalog.write"));
    }

    [Theory]
    [InlineData("$.items[3].sku", "items[3].sku")]
    [InlineData("$.price", "price")]
    [InlineData("$", "$")]
    [InlineData(null, "$")]
    public void Json_paths_become_field_names(string? path, string field)
    {
        Assert.Equal(field, JsonErrors.ToField(path));
    }
}

public sealed class UserJwtsKeyTests
{
    [Fact]
    public void Keys_written_by_dotnet_user_jwts_are_read_with_their_issuer()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:Bearer:SigningKeys:0:Id"] = "abc",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = "dotnet-user-jwts",
                ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(new byte[32]),
                ["Authentication:Schemes:Bearer:SigningKeys:1:Issuer"] = "incomplete",
            })
            .Build();

        var keys = CatalogSecurityExtensions.UserJwtsSigningKeys(configuration);

        var (issuer, _) = Assert.Single(keys);
        Assert.Equal("dotnet-user-jwts", issuer);
    }
}
