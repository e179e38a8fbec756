namespace ProductCatalog.Tests.Integration;

/// <summary>An api replica: its resource name (as the dashboard shows it) and its own address.</summary>
public sealed record ApiReplica(string Name, Uri Address)
{
    /// <summary>
    /// The <paramref name="count"/> running replicas, by name. DCP gives every replica its own
    /// port, visible in that replica's ASPNETCORE_URLS; a client on it bypasses the orchestrator's
    /// proxy (which picks a replica per connection).
    /// </summary>
    public static async Task<IReadOnlyList<ApiReplica>> ListAsync(DistributedApplication app, int count, CancellationToken ct)
    {
        var urls = new Dictionary<string, Uri>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await foreach (var e in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (e.Resource.Name != CatalogResourceNames.Api)
            {
                continue;
            }

            // A replica that stopped (or restarts, on a new port) leaves the set until it runs again.
            urls.Remove(e.ResourceId);
            if (e.Snapshot.State?.Text == KnownResourceStates.Running
                && e.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { } value)
            {
                urls[e.ResourceId] = new Uri(value.Split(';')[0]);
                if (urls.Count == count)
                {
                    break;
                }
            }
        }

        return [.. urls.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => new ApiReplica(u.Key, u.Value))];
    }
}
