using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ProductCatalog.Tests.Unit;

/// <summary><c>Catalog:Events:Enabled</c>: on by default; off, nothing records, relays or purges.</summary>
public sealed class ChangeEventSwitchTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void The_switch_decides_whether_writes_record_and_the_relay_runs(string? enabled, bool expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:catalogdb", "Host=127.0.0.1;Database=catalogdb")]);
        if (enabled is not null)
        {
            builder.Configuration.AddInMemoryCollection([new("Catalog:Events:Enabled", enabled)]);
        }

        builder.Services.AddSingleton(TimeProvider.System);

        builder.AddCatalogEvents();

        using var services = builder.Services.BuildServiceProvider();
        Assert.Equal(expected, services.GetRequiredService<ChangeEventRecorder>().Enabled);
        Assert.Equal(expected, builder.Services.Any(d => d.ImplementationType == typeof(ChangeEventRelay)));
        Assert.Equal(expected, builder.Services.Any(d => d.ServiceType == typeof(ChangeEventPurger)));
    }

    [Theory]
    [InlineData("PublishBatchSize", "0")]
    [InlineData("PublishBatchSize", "-5")]
    [InlineData("Retention", "00:00:00")]
    [InlineData("PurgeInterval", "-00:05:00")]
    [InlineData("IdlePoll", "00:00:00")]
    public void Settings_out_of_range_are_refused_naming_the_setting(string setting, string value)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new($"Catalog:Events:{setting}", value)]);
        builder.AddCatalogEvents();

        using var services = builder.Services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ChangeEventOptions>>().Value);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
