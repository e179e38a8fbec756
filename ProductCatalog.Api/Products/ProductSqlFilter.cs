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
    private readonly List<string> _conditions = [];
    private readonly List<(object Value, NpgsqlDbType Type)> _values = [];

    /// <summary>The full-text query as a SQL expression (null without <c>q</c>), for ranking with the same parameters.</summary>
    public string? TsQuery { get; private set; }

    public string Where => _conditions.Count == 0 ? "TRUE" : string.Join(" AND ", _conditions);

    /// <param name="q">The validated listing query; its sort, page size and cursor are not filters.</param>
    /// <param name="scan">
    /// Match the text with <c>ts_match_vq</c>, the function behind <c>@@</c>, which no index answers: for a
    /// common query (<see cref="SearchStatistics"/>), whose matches a table or sort-index walk meets every few
    /// rows, while the GIN index would collect all of them before the first row.
    /// </param>
    public static ProductSqlFilter From(ProductListQuery q, bool scan = false)
    {
        var filter = new ProductSqlFilter();
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
        foreach (var (value, type) in _values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        }

        return command;
    }
}
