using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ProductCatalog.Tests.Unit;

/// <summary>
/// <see cref="ProductReader"/> reads products without EF Core, by column position: its column list
/// must name, in order, the columns EF Core maps to <see cref="ProductResponse"/>'s members.
/// </summary>
public sealed class ProductReaderTests
{
    [Fact]
    public void Its_columns_are_the_models_columns_for_a_response_in_order_then_the_row_version()
    {
        using var db = new DesignTimeCatalogDbContextFactory().CreateDbContext([]);
        var product = db.Model.FindEntityType(typeof(ProductCatalog.Data.Product))!;
        var table = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(product.GetTableName()!, product.GetSchema());
        var members = typeof(ProductResponse).GetConstructors().Single().GetParameters().Select(p => p.Name!)
            .Append(nameof(ProductCatalog.Data.Product.Version));

        var expected = members.Select(member => product.FindProperty(char.ToUpperInvariant(member[0]) + member[1..])
            ?? throw new InvalidOperationException($"The product entity has no property for {member}."))
            .Select(property => property.GetColumnName(table));

        Assert.Equal("products", product.GetTableName());
        Assert.Equal(ProductReader.Columns, string.Join(", ", expected));
    }

    [Fact]
    public void It_shares_the_data_source_and_its_pool_with_ef_core()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:catalogdb", "Host=127.0.0.1;Database=catalogdb")]);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddCatalogData();
        builder.Services.AddProductReader();

        using var services = builder.Services.BuildServiceProvider();
        using var scope = services.CreateScope();
        var dataSource = services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();

#pragma warning disable EF1001 // Only the provider's options say which data source (and pool) the context uses.
        var options = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Infrastructure.IDbContextOptions>(db);
        Assert.Same(dataSource, options.FindExtension<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal.NpgsqlOptionsExtension>()!.DataSource);
#pragma warning restore EF1001
        Assert.Contains("Maximum Pool Size=" + CatalogDataExtensions.DefaultMaxPoolSize, dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Max Auto Prepare=" + CatalogDataExtensions.DefaultMaxAutoPrepare, dataSource.ConnectionString, StringComparison.Ordinal);
        Assert.NotNull(services.GetRequiredService<ProductReader>());
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;Maximum Pool Size=5", 0, 5)]
    [InlineData("Host=db;MaxAutoPrepare=8;MaxPoolSize=7", 8, 7)]
    [InlineData("Host=db", CatalogDataExtensions.DefaultMaxAutoPrepare, CatalogDataExtensions.DefaultMaxPoolSize)]
    public void The_connection_strings_own_pool_and_preparation_settings_win_over_the_defaults(string given, int prepared, int pool)
    {
        var result = new Npgsql.NpgsqlConnectionStringBuilder(CatalogDataExtensions.WithPoolDefaults(given));
        Assert.Equal(prepared, result.MaxAutoPrepare);
        Assert.Equal(pool, result.MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=db", CatalogDataExtensions.DefaultSessionOptions)]
    [InlineData("Host=db;Options=-c search_path=catalog", "-c search_path=catalog")]
    [InlineData("Host=db;Options=", null)] // for a pooler that refuses startup options: none are sent
    public void Sessions_run_without_jit_or_parallel_workers_unless_the_connection_string_sets_options(string given, string? options)
    {
        Assert.Equal(options, new Npgsql.NpgsqlConnectionStringBuilder(CatalogDataExtensions.WithPoolDefaults(given)).Options);
    }
}
