namespace ProductCatalog.Tests.Unit;

public sealed class PostgresHostingPlanTests
{
    private static readonly PostgresInstallation s_installation = new("/opt/pg/bin");

    [Fact]
    public void Auto_uses_the_container_when_a_runtime_answers_and_never_looks_for_binaries()
    {
        var plan = HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Auto, () => true, () => throw new InvalidOperationException("not asked"));

        Assert.Equal(HostingMode.Container, plan.Mode);
        Assert.Null(plan.Installation);
    }

    [Fact]
    public void Auto_falls_back_to_local_binaries_without_a_runtime()
    {
        var plan = HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Auto, () => false, () => s_installation);

        Assert.Equal(HostingMode.Local, plan.Mode);
        Assert.Same(s_installation, plan.Installation);
    }

    [Fact]
    public void Auto_with_neither_fails_with_a_message_that_says_what_to_install()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Auto, () => false, () => null));

        Assert.Contains("Docker", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("Catalog:Postgres:BinDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forced_local_uses_binaries_even_when_a_runtime_answers()
    {
        var plan = HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Local, () => throw new InvalidOperationException("not asked"), () => s_installation);

        Assert.Equal(HostingMode.Local, plan.Mode);
    }

    [Fact]
    public void Forced_local_without_binaries_fails_clearly()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Local, () => true, () => null));

        Assert.Contains("'local'", error.Message, StringComparison.Ordinal);
        Assert.Contains("initdb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forced_container_without_a_runtime_fails_clearly()
    {
        var error = Assert.Throws<CatalogSetupException>(() =>
            HostingPlan.Choose<PostgresInstallation>(CatalogPostgresExtensions.Service, HostingMode.Container, () => false, () => s_installation));

        Assert.Contains("'container'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Start Docker or Podman", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HostingMode.Auto)]
    [InlineData("", HostingMode.Auto)]
    [InlineData("auto", HostingMode.Auto)]
    [InlineData("Container", HostingMode.Container)]
    [InlineData(" LOCAL ", HostingMode.Local)]
    public void Mode_setting_is_parsed_case_insensitively(string? value, HostingMode expected)
    {
        Assert.Equal(expected, BackingServiceOptions.ParseMode(value, CatalogPostgresExtensions.SectionName));
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("1")]
    [InlineData("loca")]
    public void Unknown_mode_setting_is_rejected_with_the_allowed_values(string value)
    {
        var error = Assert.Throws<CatalogSetupException>(() => BackingServiceOptions.ParseMode(value, CatalogPostgresExtensions.SectionName));

        Assert.Contains("auto, container, local", error.Message, StringComparison.Ordinal);
    }
}
