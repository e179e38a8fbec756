using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ProductCatalog.AppHost.Hosting;

/// <summary>Says on the AppHost's console how each backing service is run, so nobody has to guess.</summary>
public static partial class HostingChoice
{
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

    /// <summary>"local ..., binary ..., data ... (persistent|temporary)".</summary>
    public static string Local(string binary, string dataDirectory, bool temporary) =>
        $"local executable {binary}, data directory {dataDirectory} ({(temporary ? "temporary, deleted when the app stops" : "persistent")})";

    /// <summary>"container ..., data ...".</summary>
    public static string Container(string image, bool persistent) =>
        $"container {image}, {(persistent ? "data on a named volume (persistent)" : "no volume (temporary)")}";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Resource}: {Description}")]
    private static partial void LogChoice(ILogger logger, string resource, string description);
}
