using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace ProductCatalog.Tests.Integration.Security;

/// <summary>
/// Hundreds of hostile requests, generated and hand-picked. None may produce a 5xx, every
/// rejection must be an RFC 9457 problem, and the database must be unchanged afterwards. Runs
/// alone (in the outage group) so that "unchanged" can be checked on the whole database.
/// </summary>
[Collection(DatabaseOutageGroup.Name)]
public sealed class HostileInputTests(CatalogAppFixture fixture)
{
    private static readonly string[] s_injections =
    [
        "' OR '1'='1",
        "'; DROP TABLE products; --",
        "\" OR \"\"=\"",
        "1; SELECT pg_sleep(10)",
        "$$; DELETE FROM categories; $$",
        "\\'; TRUNCATE products CASCADE; --",
        "\"}, {\"sku\": \"INJECTED\"",
        "{\"$ne\": null}",
        "<script>alert(1)</script>",
        "${jndi:ldap://127.0.0.1/a}",
        "../../../../etc/passwd",
        "{{7*7}}",
        "%00%27%22",
        "a\u202Eb\u200Bc",
        "🙂🙃 ｆｕｌｌｗｉｄｔｈ",
    ];

    /// <summary>What would show internals: stack frames, exception types, driver names, connection strings.</summary>
    private static readonly string[] s_leaks = ["   at ", "Exception", "Npgsql", "PostgreSQL", "SqlState", "Password=", "Host=", "System."];

    private static readonly string[] s_controlCharacters = ["a\u0000b", "a\u0007b", "a\u001Bb", "a\u007Fb", "a\u0085b"];

    // MayBeAccepted: the input is legal data (a search for odd text), so 200 is right.
    // RejectedByKestrel: the request line itself is invalid (a NUL in the path); Kestrel answers
    // 400 before any middleware runs, so there is no problem body to write.
    private sealed record Case(string Name, Func<HttpClient, Task<HttpResponseMessage>> Send, bool MayBeAccepted = false, bool RejectedByKestrel = false);

    private static IEnumerable<Case> Cases()
    {
        const string products = "/api/v1/products";

        // Malformed JSON and the wrong kind of body.
        foreach (var body in new[]
        {
            "", "{", "}", "{\"sku\":}", "nul", "{\"a\":1,}", "'single'", "{\"sku\":\"A\" \"name\":\"b\"}", "{} trailing",
            "[]", "\"text\"", "123", "null", "{\"sku\":\"DUP\",\"sku\":\"DUP2\",\"name\":\"n\",\"price\":1}",
            "{\"sku\":\"A\",\"name\":\"n\",\"price\":1}\u0000", "\uFEFF{\"sku\":", "{\"sku\":\"A\",\"name\":\"n\",\"price\":01}",
            "{\"sku\":\"A\",\"name\":\"n\",\"price\":NaN}", "{\"sku\":\"A\",\"name\":\"n\",\"price\":Infinity}", "{\"sku\":'A'}",
        })
        {
            yield return new($"malformed body {Describe(body)}", c => c.PostAsync(products, Raw(body)));
        }

        // Wrong types, field by field.
        var wrongTypes = new (string Field, string[] Values)[]
        {
            ("sku", ["123", "true", "[]", "{}"]),
            ("name", ["1", "false", "[\"a\"]", "{}"]),
            ("description", ["1", "[]", "{}"]),
            ("price", ["\"1\"", "true", "[]", "{}", "\"NaN\""]),
            ("currency", ["840", "[]", "true"]),
            ("categoryId", ["\"1\"", "1.5", "true", "[]"]),
            ("tags", ["\"a\"", "[1]", "{}", "[[\"a\"]]", "[null]"]),
            ("stockQuantity", ["1.5", "\"1\"", "true", "1e10"]),
            ("isActive", ["\"true\"", "1", "null", "[]"]),
        };
        foreach (var (field, values) in wrongTypes)
        {
            foreach (var value in values)
            {
                var body = $"{{\"sku\":\"HOSTILE-{Guid.NewGuid():N}\",\"name\":\"n\",\"price\":1,\"{field}\":{value}}}";
                // isActive=null means "default"; it is the only value here that is accepted, so it gets a bad price too.
                if (field == "isActive" && value == "null")
                {
                    body = body.Replace("\"price\":1", "\"price\":-1", StringComparison.Ordinal);
                }

                yield return new($"wrong type {field}={value}", c => c.PostAsync(products, Raw(body)));
            }
        }

        // Numbers out of range.
        foreach (var (field, value) in new[]
        {
            ("price", "1e309"), ("price", "-1e400"), ("price", "99999999999999999999999999999999"), ("price", "1000000000"),
            ("price", "-0.01"), ("price", "0.001"), ("stockQuantity", "2147483648"), ("stockQuantity", "-2147483649"),
            ("stockQuantity", "-1"), ("categoryId", "99999999999"), ("categoryId", "-5"),
        })
        {
            yield return new($"out of range {field}={value}", c => c.PostAsync(products, Raw($"{{\"sku\":\"OOR-{Guid.NewGuid():N}\",\"name\":\"n\",\"price\":1,\"{field}\":{value}}}".Replace("\"price\":1,\"price\"", "\"price\"", StringComparison.Ordinal))));
        }

        // Deep nesting.
        foreach (var depth in new[] { 40, 200, 5000 })
        {
            var nested = new string('[', depth) + new string(']', depth);
            yield return new($"nesting {depth} in tags", c => c.PostAsync(products, Raw($"{{\"sku\":\"N\",\"name\":\"n\",\"price\":1,\"tags\":{nested}}}")));
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            yield return new($"nesting {depth} in an unknown field", c => c.PostAsync(products, Raw($"{{\"sku\":\"N\",\"name\":\"n\",\"price\":1,\"x\":{objects}}}")));
        }

        // Control characters and unpaired surrogates in every text field.
        foreach (var text in s_controlCharacters)
        {
            foreach (var field in new[] { "sku", "name", "tags", "currency" })
            {
                var body = Product();
                body[field] = field == "tags" ? new JsonArray(text) : text;
                yield return new($"control character in {field}: {Describe(text)}", c => c.PostAsync(products, Json(body)));
            }

            var withDescription = Product();
            withDescription["description"] = text;
            yield return new($"control character in description: {Describe(text)}", c => c.PostAsync(products, Json(withDescription)));
        }

        // Unpaired surrogates, written as JSON escapes (a .NET client would replace them before sending).
        foreach (var field in new[] { "sku", "name", "description", "tags" })
        {
            foreach (var escape in new[] { "\\ud800", "\\udfff", "a\\ud83d" })
            {
                var fields = new Dictionary<string, string> { ["sku"] = "\"SURROGATE\"", ["name"] = "\"n\"", ["price"] = "1" };
                fields[field] = field == "tags" ? $"[\"{escape}\"]" : $"\"{escape}\"";
                var body = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
                yield return new($"unpaired surrogate in {field}: {escape}", c => c.PostAsync(products, Raw(body)));
            }
        }

        // Invalid UTF-8.
        foreach (var bytes in new byte[][] { [0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0xBC], [0xC0, 0xAF], [0xED, 0xA0, 0x80] })
        {
            var body = Encoding.UTF8.GetBytes("{\"sku\":\"UTF\",\"name\":\"").Concat(bytes).Concat(Encoding.UTF8.GetBytes("\",\"price\":1}")).ToArray();
            yield return new($"invalid UTF-8 {Convert.ToHexString(bytes)}", c =>
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
                return c.PostAsync(products, content);
            });
        }

        // Injection strings in every string field; each body is also invalid (bad price) where the text alone would be legal data.
        foreach (var injection in s_injections)
        {
            yield return new($"injection in sku: {Describe(injection)}", c => c.PostAsync(products, Json(Product(sku: injection))));
            foreach (var field in new[] { "name", "description", "currency", "tags" })
            {
                var body = Product(price: -1);
                body[field] = field == "tags" ? new JsonArray(injection) : injection;
                yield return new($"injection in {field}: {Describe(injection)}", c => c.PostAsync(products, Json(body)));
            }

            yield return new($"injection in category name: {Describe(injection)}", c => c.PostAsync("/api/v1/categories", Json(new JsonObject { ["name"] = injection, ["description"] = new string('d', 1001) })));
            yield return new($"injection as JSON key: {Describe(injection)}", c => c.PostAsync(products, Json(new JsonObject { ["sku"] = "K", ["name"] = "n", ["price"] = 1, [injection] = 1 })));
            yield return new($"injection in sku path: {Describe(injection)}", c => c.GetAsync($"{products}/by-sku/{Uri.EscapeDataString(injection)}"));
            yield return new($"injection in id path: {Describe(injection)}", c => c.GetAsync($"{products}/{Uri.EscapeDataString(injection)}"));

            // Query parameters: q and tag take any text (a search for it is legal and finds nothing); the others must reject it.
            foreach (var parameter in new[] { "q", "tag", "categoryId", "minPrice", "maxPrice", "isActive", "inStock", "sort", "limit", "cursor" })
            {
                var legal = parameter is "q" or "tag" && injection.Length <= 50;
                yield return new($"injection in ?{parameter}: {Describe(injection)}", c => c.GetAsync($"{products}?{parameter}={Uri.EscapeDataString(injection)}"), MayBeAccepted: legal);
            }
        }

        // Bad ids in every route that takes one.
        foreach (var id in new[] { "not-a-uuid", "00000000-0000-0000-0000-00000000000", "{00000000-0000-0000-0000-000000000000}x", "%00", "1%20OR%201=1", "..%2F..%2F" })
        {
            var nul = id == "%00";
            yield return new($"bad id GET {id}", c => c.GetAsync($"{products}/{id}"), RejectedByKestrel: nul);
            yield return new($"bad id PUT {id}", c => c.PutAsync($"{products}/{id}", Json(Product())), RejectedByKestrel: nul);
            yield return new($"bad id DELETE {id}", c => c.DeleteAsync($"{products}/{id}"), RejectedByKestrel: nul);
            yield return new($"bad id stock {id}", c => c.PostAsync($"{products}/{id}/stock-adjustments", Json(new JsonObject { ["delta"] = 1 })), RejectedByKestrel: nul);
            yield return new($"bad category id {id}", c => c.DeleteAsync($"/api/v1/categories/{id}"), RejectedByKestrel: nul);
        }

        // Paging abuse.
        foreach (var query in new[]
        {
            "limit=999999999999999999999", "limit=-1", "limit=1e3", "limit=%20", "cursor=", "cursor=AAAA", "cursor=.", "cursor=a.b",
            "cursor=eyJzIjoibmFtZSJ9.AAAAAAAAAAAAAAAAAAAAAA", $"cursor={new string('A', 5000)}", "sort=name;DROP", "sort=-", "minPrice=1e400", "maxPrice=-1",
        })
        {
            yield return new($"paging {query[..Math.Min(query.Length, 40)]}", c => c.GetAsync($"{products}?{query}"));
        }

        // Oversized bodies and wrong media types.
        var tenMegabytes = new string('x', 10 * 1024 * 1024);
        // Expect: 100-continue lets the server refuse before the client sends 10 MB into a closed socket.
        yield return new("10 MB product", c => SendExpectingContinue(c, products, $"{{\"sku\":\"BIG\",\"name\":\"n\",\"price\":1,\"description\":\"{tenMegabytes}\"}}"));
        yield return new("10 MB batch", c => SendExpectingContinue(c, $"{products}/batch", $"{{\"items\":[{{\"sku\":\"BIG\",\"name\":\"n\",\"price\":1,\"description\":\"{tenMegabytes}\"}}]}}"));
        yield return new("xml body", c => c.PostAsync(products, Raw("<product/>", "application/xml")));
        yield return new("text body", c => c.PostAsync(products, Raw("{}", "text/plain")));
        yield return new("batch of nulls", c => c.PostAsync($"{products}/batch", Raw("{\"items\":[null,null]}")));
        yield return new("batch items not an array", c => c.PostAsync($"{products}/batch", Raw("{\"items\":{}}")));
        yield return new("stock delta overflow", c => c.PostAsync($"{products}/{Guid.CreateVersion7()}/stock-adjustments", Raw("{\"delta\":2147483648}")));
        yield return new("merge patch that is a string", c => c.PatchAsync($"{products}/{Guid.CreateVersion7()}", Raw("\"x\"", "application/merge-patch+json")));
    }

    [Fact]
    public async Task No_hostile_request_gets_a_5xx_every_rejection_is_a_problem_and_nothing_is_written()
    {
        var before = await SnapshotAsync();
        var cases = Cases().ToList();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(cases.Select(async testCase =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                using var client = testCase.RejectedByKestrel ? fixture.CreateClientOutsideTheContract() : fixture.CreateApiClient();
                using var response = await testCase.Send(client);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(Ct);
                lock (statuses)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    if (status >= 500)
                    {
                        failures.Add($"{testCase.Name}: {status} {text[..Math.Min(text.Length, 300)]}");
                    }
                    else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                        && !(testCase.RejectedByKestrel && status == 400 && text.Length == 0))
                    {
                        failures.Add($"{testCase.Name}: {status} without a problem body");
                    }
                    else if (status < 400 && !testCase.MayBeAccepted)
                    {
                        failures.Add($"{testCase.Name}: accepted with {status}");
                    }
                    else if (s_leaks.Any(leak => text.Contains(leak, StringComparison.Ordinal)))
                    {
                        failures.Add($"{testCase.Name}: response leaks internals");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"hostile cases: {cases.Count}; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(cases.Count >= 200, $"only {cases.Count} cases");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(await fixture.GetDatabaseConnectionStringAsync());
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM products) || '|' || (SELECT coalesce(max(updated_at)::text, '') FROM products)
                || '|' || (SELECT count(*) FROM categories) || '|' || (SELECT count(*) FROM idempotency_keys)
            """, connection);
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static Task<HttpResponseMessage> SendExpectingContinue(HttpClient client, string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Raw(body) };
        request.Headers.ExpectContinue = true;
        return client.SendAsync(request, Ct);
    }

    private static string Describe(string text) =>
        new string(text.Take(24).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c).ToArray());
}
