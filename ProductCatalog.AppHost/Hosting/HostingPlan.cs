namespace ProductCatalog.AppHost.Hosting;

/// <summary>What <see cref="HostingPlan.Choose"/> decided: a container, or a local installation.</summary>
public sealed record HostingPlan<TInstallation>(HostingMode Mode, TInstallation? Installation)
    where TInstallation : class;

public static class HostingPlan
{
    /// <summary>
    /// Picks the hosting of a run (publish mode never asks: an executable resource cannot be
    /// deployed). The probes are only called when the answer depends on them.
    /// </summary>
    public static HostingPlan<TInstallation> Choose<TInstallation>(
        BackingService service,
        HostingMode requested,
        Func<bool> containerRuntimeAvailable,
        Func<TInstallation?> findInstallation)
        where TInstallation : class
    {
        var container = new HostingPlan<TInstallation>(HostingMode.Container, null);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(containerRuntimeAvailable);
        ArgumentNullException.ThrowIfNull(findInstallation);

        switch (requested)
        {
            case HostingMode.Container:
                return containerRuntimeAvailable()
                    ? container
                    : throw new CatalogSetupException(
                        $"{service.ModeKey} is 'container' but no container runtime answered (tried 'docker info' and 'podman info'). "
                        + $"Start Docker or Podman, or set {service.ModeKey} to 'local' or 'auto' to use a local {service.DisplayName} installation.");

            case HostingMode.Local:
                return findInstallation() is { } forced
                    ? new HostingPlan<TInstallation>(HostingMode.Local, forced)
                    : throw new CatalogSetupException(
                        $"{service.ModeKey} is 'local' but no {service.Binaries} were found {service.SearchedLocations}. {service.InstallHint}");

            default:
                if (containerRuntimeAvailable())
                {
                    return container;
                }

                return findInstallation() is { } found
                    ? new HostingPlan<TInstallation>(HostingMode.Local, found)
                    : throw new CatalogSetupException(
                        $"{service.DisplayName} cannot be started: no container runtime answered ('docker info', 'podman info') and no "
                        + $"{service.Binaries} were found {service.SearchedLocations}. "
                        + "Install and start Docker Desktop or Podman, or " + service.InstallHint);
        }
    }
}
