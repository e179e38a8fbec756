using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>
/// The one decision every backing service makes: published (manifest, azd), the Aspire container
/// where a runtime answers, or a local installation; and one line on the console saying which.
/// </summary>
public static partial class BackingServiceHosting
{
    public static IResourceBuilder<IResourceWithConnectionString> AddBackingService<TInstallation>(
        this IDistributedApplicationBuilder builder,
        BackingService service,
        Func<string?, TInstallation?> findInstallation,
        Func<IResourceBuilder<IResourceWithConnectionString>> published,
        Func<BackingServiceOptions, IResourceBuilder<IResourceWithConnectionString>> container,
        Func<BackingServiceOptions, TInstallation, IResourceBuilder<IResourceWithConnectionString>> local)
        where TInstallation : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(findInstallation);
        ArgumentNullException.ThrowIfNull(published);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(local);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return published();
        }

        var options = BackingServiceOptions.From(builder.Configuration, service.SectionName);
        var plan = HostingPlan.Choose(
            service,
            options.Mode,
            () => ContainerRuntimeProbe.IsAvailable(builder.Configuration),
            () => findInstallation(options.BinDirectory));
        return plan.Installation is null ? container(options) : local(options, plan.Installation);
    }

    /// <summary>Logs "container image:tag, ..." for a container resource when the app starts.</summary>
    public static void LogContainerChoice(IDistributedApplicationBuilder builder, IResource resource, bool persistent)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var image = resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var annotation) ? $"{annotation.Image}:{annotation.Tag}" : resource.Name;
        LogAtStartup(builder, resource.Name,
            $"container {image}, {(persistent ? "data on a named volume (persistent)" : "no volume (temporary)")}");
    }

    /// <summary>Logs one line for <paramref name="resourceName"/> when the app starts.</summary>
    public static void LogAtStartup(IDistributedApplicationBuilder builder, string resourceName, string description)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ProductCatalog.AppHost.Hosting");
            LogChoice(logger, resourceName, description);
            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource}: {Description}")]
    private static partial void LogChoice(ILogger logger, string resource, string description);
}
