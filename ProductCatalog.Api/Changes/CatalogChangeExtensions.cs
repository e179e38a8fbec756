namespace ProductCatalog.Api.Changes;

public static class CatalogChangeExtensions
{
    /// <summary>
    /// Registers <see cref="CatalogChangeNotifications"/>: one instance, injectable and running as a
    /// hosted service. Subscribers register themselves as <see cref="ICatalogChangeSubscriber"/>.
    /// </summary>
    public static IServiceCollection AddCatalogChangeNotifications(this IServiceCollection services)
    {
        services.AddSingleton<CatalogChangeNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<CatalogChangeNotifications>());
        return services;
    }
}
