using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Exports what is still buffered once the host's services have stopped. A short-lived process
/// (the migration worker) otherwise loses its last log records: they wait for the next batch,
/// and the batch never comes because the process is already on its way out.
/// </summary>
internal sealed class TelemetryFlushOnStop(IServiceProvider services) : IHostedLifecycleService
{
    private const int FlushTimeoutMilliseconds = 5000;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        services.GetService<TracerProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        services.GetService<LoggerProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        services.GetService<MeterProvider>()?.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
