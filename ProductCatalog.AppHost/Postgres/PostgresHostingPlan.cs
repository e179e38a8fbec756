using ProductCatalog.AppHost.Setup;

namespace ProductCatalog.AppHost.Postgres;

/// <summary>What <see cref="PostgresHostingPlan.Choose"/> decided: a container, or a local installation.</summary>
public sealed record PostgresHostingPlan(PostgresHostingMode Mode, PostgresInstallation? Installation)
{
    public static PostgresHostingPlan Container { get; } = new(PostgresHostingMode.Container, null);

    /// <summary>
    /// Picks the hosting. Publish mode (manifest, azd) is always the container: an executable
    /// resource cannot be deployed. The probes are only called when the answer depends on them.
    /// </summary>
    public static PostgresHostingPlan Choose(
        PostgresHostingMode requested,
        bool isPublishMode,
        Func<bool> containerRuntimeAvailable,
        Func<PostgresInstallation?> findInstallation)
    {
        if (isPublishMode)
        {
            return Container;
        }

        switch (requested)
        {
            case PostgresHostingMode.Container:
                return containerRuntimeAvailable()
                    ? Container
                    : throw new CatalogSetupException(
                        "Catalog:Postgres:Mode is 'container' but no container runtime answered (tried 'docker info' and 'podman info'). "
                        + "Start Docker or Podman, or set Catalog:Postgres:Mode to 'local' or 'auto' to use a local PostgreSQL installation.");

            case PostgresHostingMode.Local:
                return findInstallation() is { } forced
                    ? new PostgresHostingPlan(PostgresHostingMode.Local, forced)
                    : throw new CatalogSetupException(
                        "Catalog:Postgres:Mode is 'local' but no PostgreSQL server binaries (initdb and postgres) were found "
                        + PostgresInstallation.SearchedLocations + ". " + InstallHint);

            default:
                if (containerRuntimeAvailable())
                {
                    return Container;
                }

                return findInstallation() is { } found
                    ? new PostgresHostingPlan(PostgresHostingMode.Local, found)
                    : throw new CatalogSetupException(
                        "PostgreSQL cannot be started: no container runtime answered ('docker info', 'podman info') and no "
                        + "PostgreSQL server binaries (initdb and postgres) were found " + PostgresInstallation.SearchedLocations + ". "
                        + "Install and start Docker Desktop or Podman, or " + InstallHint);
        }
    }

    private const string InstallHint =
        "install PostgreSQL 14 or newer (Debian/Ubuntu: 'apt-get install postgresql'; macOS: 'brew install postgresql@16'), "
        + "or point Catalog:Postgres:BinDirectory at the folder that holds initdb and postgres.";
}
