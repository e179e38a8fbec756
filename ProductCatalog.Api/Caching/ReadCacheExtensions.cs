namespace ProductCatalog.Api.Caching;

public static class ReadCacheExtensions
{
    /// <summary>Registers the product read cache, told of every change by <see cref="CatalogChangeNotifications"/>.</summary>
    public static IHostApplicationBuilder AddProductReadCache(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ReadCacheOptions>().BindConfiguration(ReadCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ReadCacheMetrics>();
        builder.Services.AddSingleton<ProductReadCache>();
        builder.Services.AddSingleton<ICatalogChangeSubscriber>(sp => sp.GetRequiredService<ProductReadCache>());
        builder.Services.AddCatalogChangeNotifications();
        return builder;
    }
}
