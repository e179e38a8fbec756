using Npgsql;
using NpgsqlTypes;

namespace ProductCatalog.Api.Products;

/// <summary>
/// The listing's filters as parameterized SQL, for the statements EF Core cannot express (a ranked
/// candidate set, facets). Values are always parameters; only this class's fixed fragments are SQL.
/// Each condition is the one the EF Core listing applies, so both use the same indexes.
/// </summary>
internal sealed class ProductSqlFilter
{
    // At the server's default of 4 MB, a prefix matching a common lexeme turns its bitmap lossy from about
    // 1 M products on, and every row of the pages it names is read and rechecked: 4.7 s against 1.2 s for
    // `meadow cob` at 10 M (docs/performance.md). The bitmap costs about 64 bytes per heap page it names
    // and grows only as needed, so this bounds it, exact up to about 1 M heap pages (16 M bench products).
    private const string BitmapMemory = "SELECT set_config('work_mem', '64MB', true)";

    private readonly List<string> _conditions = [];
    private readonly List<(object Value, NpgsqlDbType Type)> _values = [];

    /// <summary>The full-text query as a SQL expression (null without <c>q</c>), for ranking with the same parameters.</summary>
    public string? TsQuery { get; private set; }

    public string Where => _conditions.Count == 0 ? "TRUE" : string.Join(" AND ", _conditions);

    /// <summary>Whether the statement runs with a larger bitmap memory (<see cref="SearchEstimate.ReadsLongPostings"/>).</summary>
    public bool WideBitmap { get; private init; }

    /// <param name="q">The validated listing query; its sort, page size and cursor are not filters.</param>
    /// <param name="estimate">
    /// When the text is common (<see cref="SearchEstimate.IsCommon"/>), it is matched with <c>ts_match_vq</c>,
    /// the function behind <c>@@</c>, which no index answers: a table or sort-index walk meets its matches every
    /// few rows, while the GIN index would collect all of them before the first row. When its words are common
    /// lexemes, but not together, the GIN index's bitmap gets room to stay exact.
    /// </param>
    public static ProductSqlFilter From(ProductListQuery q, SearchEstimate estimate = default)
    {
        var scan = estimate.IsCommon;
        var filter = new ProductSqlFilter { WideBitmap = q.Q is not null && estimate.ReadsLongPostings };
        if (q.Q is not null)
        {
            var terms = SearchTerms.Parse(q.Q);
            var words = $"websearch_to_tsquery('english', {filter.Add(terms.Words, NpgsqlDbType.Text)})";
            filter.TsQuery = terms.PrefixQuery is null
                ? words
                : $"({words} && to_tsquery('english', {filter.Add(terms.PrefixQuery, NpgsqlDbType.Text)}))";
            filter._conditions.Add(scan ? $"ts_match_vq(search_vector, {filter.TsQuery})" : $"search_vector @@ {filter.TsQuery}");
        }

        if (q.CategoryId is { } categoryId)
        {
            filter._conditions.Add($"category_id = {filter.Add(categoryId, NpgsqlDbType.Integer)}");
        }

        if (q.Tag is { } tag)
        {
            // Array containment is what the GIN index on tags answers.
            filter._conditions.Add($"tags @> ARRAY[{filter.Add(tag, NpgsqlDbType.Text)}]");
        }

        if (q.MinPrice is { } min)
        {
            filter._conditions.Add($"price >= {filter.Add(min, NpgsqlDbType.Numeric)}");
        }

        if (q.MaxPrice is { } max)
        {
            filter._conditions.Add($"price <= {filter.Add(max, NpgsqlDbType.Numeric)}");
        }

        if (q.IsActive is { } active)
        {
            filter._conditions.Add($"is_active = {filter.Add(active, NpgsqlDbType.Boolean)}");
        }

        if (q.InStock is { } inStock)
        {
            filter._conditions.Add(inStock ? "stock_quantity > 0" : "stock_quantity = 0");
        }

        return filter;
    }

    /// <summary>A parameter for <paramref name="value"/>; returns its placeholder (<c>$n</c>).</summary>
    public string Add(object value, NpgsqlDbType type)
    {
        _values.Add((value, type));
        return $"${_values.Count}";
    }

    /// <summary>A command with this filter's parameters; new ones each time, since a parameter belongs to one command (and a retry makes another).</summary>
    public NpgsqlCommand CreateCommand(NpgsqlDataSource dataSource, string sql)
    {
        var command = dataSource.CreateCommand(sql);
        AddParameters(command.Parameters);
        return command;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with this filter's parameters and hands each row to <paramref name="read"/>.
    /// With <see cref="WideBitmap"/>, the memory setting comes first in the same batch: one implicit
    /// transaction up to its Sync, which a local setting does not outlive.
    /// </summary>
    public async Task ReadAsync(NpgsqlDataSource dataSource, string sql, Action<NpgsqlDataReader> read, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        if (WideBitmap)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(BitmapMemory));
        }

        var statement = new NpgsqlBatchCommand(sql);
        AddParameters(statement.Parameters);
        batch.BatchCommands.Add(statement);
        await using var rows = await batch.ExecuteReaderAsync(ct);
        if (WideBitmap)
        {
            await rows.NextResultAsync(ct);
        }

        while (await rows.ReadAsync(ct))
        {
            read(rows);
        }
    }

    private void AddParameters(NpgsqlParameterCollection parameters)
    {
        foreach (var (value, type) in _values)
        {
            parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        }
    }
}
