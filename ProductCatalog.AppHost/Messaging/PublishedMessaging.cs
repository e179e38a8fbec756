using Microsoft.Extensions.Configuration;

namespace ProductCatalog.AppHost.Messaging;

/// <summary>Where the deployed broker lives: configuration key <c>Catalog:Messaging:Publish</c>.</summary>
public enum MessagingPublishMode
{
    /// <summary>Quick start: the RabbitMQ container next to the app, its data on a named volume (Azure Files on ACA).</summary>
    Container,

    /// <summary>A broker run elsewhere (a managed RabbitMQ, a cluster): a secret connection-string parameter.</summary>
    External,
}

/// <summary>The broker as it is published (manifest, azd). Run mode never comes here.</summary>
public static class PublishedMessaging
{
    public const string SettingKey = "Catalog:Messaging:Publish";

    /// <summary>Fixed name of the container's data volume: see <c>PublishedPostgres.DataVolumeName</c> for why.</summary>
    public const string DataVolumeName = "catalog-rabbitmq-data";

    public static MessagingPublishMode ModeFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return BackingServiceOptions.ParsePublishMode(configuration[SettingKey], SettingKey, MessagingPublishMode.Container);
    }

    /// <summary>
    /// <see cref="MessagingPublishMode.Container"/>: the standard <c>rabbitmq</c> container with its
    /// generated secret password and a persistent volume. <see cref="MessagingPublishMode.External"/>:
    /// no broker resource; <paramref name="name"/> becomes a secret connection-string parameter
    /// (<c>amqp://user:password@host:port/vhost</c>) that azd asks for once.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPublishedMessaging(this IDistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (ModeFrom(builder.Configuration) == MessagingPublishMode.External)
        {
            return builder.AddConnectionString(name);
        }

        return builder.AddRabbitMQ(name).WithDataVolume(DataVolumeName);
    }
}
