using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Npgsql;

// The smallest ASP.NET Core service that answers the API's read scenarios with the same SQL the
// API's EF Core queries send: one NpgsqlDataSource, one prepared command per request, JSON
// written straight to the response. The API's requests/s divided by this one's is the figure
// bench/run.sh reports, so the API's overhead is measured against the floor that the database,
// the network stack and Kestrel set on this machine.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var connectionString = builder.Configuration.GetConnectionString("catalogdb")
    ?? throw new InvalidOperationException("ConnectionStrings:catalogdb is required.");
await using var dataSource = NpgsqlDataSource.Create(connectionString);

var app = builder.Build();

const string Columns = "id, sku, name, description, price, currency, category_id, tags, stock_quantity, is_active, created_at, updated_at, xmin";

app.MapGet("/api/v1/products/{id:guid}", (Guid id, HttpContext context) =>
    SingleAsync(context, $"SELECT {Columns} FROM products WHERE id = $1 LIMIT 1", id));

app.MapGet("/api/v1/products/by-sku/{sku}", (string sku, HttpContext context) =>
    SingleAsync(context, $"SELECT {Columns} FROM products WHERE sku = $1 LIMIT 1", sku.ToUpperInvariant()));

// Keyset listing by name: ?afterName=&afterId= seeks like the API's cursor; ?q= searches (a first page).
app.MapGet("/api/v1/products", async (HttpContext context) =>
{
    var query = context.Request.Query;
    var parameters = new List<object>();
    var where = new List<string>();
    var sql = "";
    if (query.TryGetValue("q", out var q))
    {
        // The API's statement for a first page of q by name (docs/search.md): its last plain word
        // is also a prefix, and the first 10 001 matches are sorted in memory unless there are more.
        var text = q.ToString();
        var space = text.TrimEnd().LastIndexOf(' ') + 1;
        var last = text.TrimEnd()[space..];
        var prefix = last.Length >= 2 && last.All(char.IsLetterOrDigit);
        parameters.Add(prefix ? text[..space] : text);
        parameters.Add(prefix ? last.ToLowerInvariant() + ":*" : "");
        var match = prefix
            ? "search_vector @@ (websearch_to_tsquery('english', $1) && to_tsquery('english', $2))"
            : "search_vector @@ websearch_to_tsquery('english', $1) AND $2 = ''";
        sql = $"""
            WITH m AS MATERIALIZED (SELECT id, name AS k FROM products WHERE {match} LIMIT 10001),
            page AS (
                (SELECT m.id, m.k FROM m WHERE (SELECT count(*) FROM m) <= 10000 ORDER BY m.k, m.id LIMIT 21)
                UNION ALL
                (SELECT p.id, p.name FROM products p WHERE (SELECT count(*) FROM m) > 10000 AND {match} ORDER BY p.name, p.id LIMIT 21))
            SELECT {string.Join(", ", Columns.Split(", ").Select(c => "p." + c))} FROM page JOIN products p ON p.id = page.id ORDER BY page.k, page.id
            """;
    }

    if (query.TryGetValue("afterName", out var afterName) && query.TryGetValue("afterId", out var afterId))
    {
        parameters.Add(afterName.ToString());
        parameters.Add(Guid.Parse(afterId.ToString()));
        where.Add($"(name, id) > (${parameters.Count - 1}, ${parameters.Count})");
    }

    if (sql.Length == 0)
    {
        sql = $"SELECT {Columns} FROM products {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY name, id LIMIT 21";
    }

    await using var command = dataSource.CreateCommand(sql);
    foreach (var value in parameters)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
    }

    await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
    var buffer = new ArrayBufferWriter<byte>(16 * 1024);
    using (var json = new Utf8JsonWriter(buffer))
    {
        json.WriteStartObject();
        json.WriteStartArray("items");
        var count = 0;
        string? lastName = null;
        Guid lastId = default;
        while (await reader.ReadAsync(context.RequestAborted))
        {
            if (++count > 20)
            {
                break;
            }

            lastName = reader.GetString(2);
            lastId = reader.GetGuid(0);
            WriteProduct(json, reader);
        }

        json.WriteEndArray();
        json.WriteString("nextCursor", count > 20 ? lastName + "|" + lastId : null);
        json.WriteEndObject();
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
});

app.Run();

async Task SingleAsync(HttpContext context, string sql, object key)
{
    await using var command = dataSource.CreateCommand(sql);
    command.Parameters.Add(new NpgsqlParameter { Value = key });
    await using var reader = await command.ExecuteReaderAsync(context.RequestAborted);
    if (!await reader.ReadAsync(context.RequestAborted))
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }

    var buffer = new ArrayBufferWriter<byte>(1024);
    using (var json = new Utf8JsonWriter(buffer))
    {
        WriteProduct(json, reader);
    }

    context.Response.Headers.ETag = string.Create(CultureInfo.InvariantCulture, $"\"{reader.GetFieldValue<uint>(12)}\"");
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
}

static void WriteProduct(Utf8JsonWriter json, NpgsqlDataReader reader)
{
    json.WriteStartObject();
    json.WriteString("id", reader.GetGuid(0));
    json.WriteString("sku", reader.GetString(1));
    json.WriteString("name", reader.GetString(2));
    if (reader.IsDBNull(3))
    {
        json.WriteNull("description");
    }
    else
    {
        json.WriteString("description", reader.GetString(3));
    }

    json.WriteNumber("price", reader.GetDecimal(4));
    json.WriteString("currency", reader.GetString(5));
    if (reader.IsDBNull(6))
    {
        json.WriteNull("categoryId");
    }
    else
    {
        json.WriteNumber("categoryId", reader.GetInt32(6));
    }

    json.WriteStartArray("tags");
    foreach (var tag in reader.GetFieldValue<string[]>(7))
    {
        json.WriteStringValue(tag);
    }

    json.WriteEndArray();
    json.WriteNumber("stockQuantity", reader.GetInt32(8));
    json.WriteBoolean("isActive", reader.GetBoolean(9));
    json.WriteString("createdAt", reader.GetFieldValue<DateTimeOffset>(10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    json.WriteString("updatedAt", reader.GetFieldValue<DateTimeOffset>(11).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    json.WriteEndObject();
}
