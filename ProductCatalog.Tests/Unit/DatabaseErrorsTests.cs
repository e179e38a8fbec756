using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ProductCatalog.Tests.Unit;

/// <summary>
/// What <see cref="DatabaseErrors.IsUnavailable"/> makes a 503. The multi-host cases take the
/// exceptions from Npgsql itself (two loopback ports nothing listens on), so a change in how Npgsql
/// says "no primary" fails here rather than as a 500 in a failover.
/// </summary>
public sealed class DatabaseErrorsTests
{
    [Fact]
    public async Task No_primary_among_the_hosts_is_unavailable_in_both_shapes_Npgsql_throws_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = new NpgsqlDataSourceBuilder(
            $"Host=127.0.0.1:{FreePort()},127.0.0.1:{FreePort()};Username=catalog;Password=unused;Target Session Attributes=primary;Host Recheck Seconds=60;Timeout=5")
            .BuildMultiHost();

        // First every host is tried and refuses; then both are known offline and none is tried.
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await dataSource.OpenConnectionAsync(ct));
        var noneTried = await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await dataSource.OpenConnectionAsync(ct));

        Assert.IsType<AggregateException>(refused.InnerException);
        Assert.Null(noneTried.InnerException);
        Assert.False(refused.IsTransient);
        Assert.False(noneTried.IsTransient);
        Assert.True(DatabaseErrors.IsUnavailable(refused));
        Assert.True(DatabaseErrors.IsUnavailable(noneTried));
    }

    [Fact]
    public void The_same_words_thrown_elsewhere_are_not_unavailable()
    {
        // Not classified by its text: a plain NpgsqlException from anywhere else (an
        // authentication mismatch, a protocol error) stays a 500.
        Assert.False(DatabaseErrors.IsUnavailable(Thrown(() => throw new NpgsqlException("No suitable host was found."))));
    }

    [Fact]
    public void Broken_connections_and_timeouts_are_unavailable()
    {
        Assert.True(DatabaseErrors.IsUnavailable(new NpgsqlException("Exception while reading from stream", new IOException())));
        Assert.True(DatabaseErrors.IsUnavailable(new NpgsqlException("Failed to connect", new SocketException())));
        Assert.True(DatabaseErrors.IsUnavailable(new TimeoutException()));
        Assert.False(DatabaseErrors.IsUnavailable(new InvalidOperationException()));
    }

    private static Exception Thrown(Action action) => Assert.ThrowsAny<Exception>(action);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
