using System.ComponentModel.DataAnnotations;

namespace ProductCatalog.Api.Events;

/// <summary><c>Catalog:Events</c>: the outbox's retention and the relay's behaviour; checked at startup.</summary>
public sealed class ChangeEventOptions
{
    public const string SectionName = "Catalog:Events";

    /// <summary>The AppHost's broker resource, and the connection string's name.</summary>
    public const string BrokerConnectionName = "messaging";

    /// <summary>
    /// False: writes record no change events, the feed (<c>/api/v1/events</c>) is not served and
    /// nothing is published. For a catalog no other service follows, and for the benchmark's
    /// events-on/off comparison. Consumers of a catalog that turned it off and on again have
    /// missed the changes in between and must re-read the catalog.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long published events stay in the feed; older positions answer 410.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the publishing replica deletes events older than <see cref="Retention"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The topic exchange events are published to (routing key = event type).</summary>
    public string Exchange { get; set; } = "catalog.events";

    /// <summary>False turns the relay off (the outbox and the feed still work); also off without a broker connection string.</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>
    /// Every node of a broker cluster, <c>host:port,host:port</c>: the client connects to one of
    /// them and, when it is lost, reconnects to another. Empty: the connection string's one host
    /// (deployed, a Service or load balancer in front of the cluster).
    /// </summary>
    public string? BrokerEndpoints { get; set; }

    /// <summary>Events published per round, all confirmed before the next round.</summary>
    [Range(1, 10_000)]
    public int PublishBatchSize { get; set; } = 500;

    /// <summary>
    /// How long a batch may wait for the broker's confirmations (and a channel for its opening):
    /// a connection lost mid-batch must not leave the relay waiting forever.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest pause between publish attempts while the broker fails.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a replica that is not publishing waits before trying to become the publisher, and
    /// the longest the relay sleeps without a change notification.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);
}
