using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ProductCatalog.Tests.Unit;

/// <summary>The relay's batch of publishes is confirmed only when the broker acked every one of them.</summary>
public sealed class PublisherConfirmsTests
{
    [Fact]
    public async Task A_multiple_ack_of_the_last_confirms_the_batch()
    {
        var confirms = new PublisherConfirms();
        var batch = confirms.Expect(11, 5);

        await confirms.OnAck(13, multiple: true);
        Assert.False(batch.IsCompleted);
        await confirms.OnAck(15, multiple: true);

        await batch.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Single_acks_in_any_order_confirm_the_batch_only_when_all_came()
    {
        var confirms = new PublisherConfirms();
        var batch = confirms.Expect(1, 3);

        await confirms.OnAck(3, multiple: false);
        await confirms.OnAck(1, multiple: false);
        // Acks of earlier publishes and repeated ones change nothing.
        await confirms.OnAck(1, multiple: true);
        await confirms.OnAck(3, multiple: false);
        Assert.False(batch.IsCompleted);
        await confirms.OnAck(2, multiple: false);

        await batch.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Acks_of_a_batch_before_it_do_not_confirm_it()
    {
        var confirms = new PublisherConfirms();
        var first = confirms.Expect(1, 2);
        await confirms.OnAck(2, multiple: true);
        await first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        var second = confirms.Expect(3, 2);
        await confirms.OnAck(2, multiple: true);
        await confirms.OnAck(3, multiple: false);

        Assert.False(second.IsCompleted);
    }

    [Fact]
    public async Task A_nack_of_any_publish_in_the_batch_fails_it()
    {
        var confirms = new PublisherConfirms();
        var batch = confirms.Expect(1, 3);

        await confirms.OnAck(1, multiple: false);
        await confirms.OnNack(2, multiple: false);
        await confirms.OnAck(3, multiple: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() => batch);
    }

    [Fact]
    public async Task The_channel_closing_fails_the_batch()
    {
        var confirms = new PublisherConfirms();
        var batch = confirms.Expect(1, 3);

        await confirms.OnShutdown(new ShutdownEventArgs(ShutdownInitiator.Peer, 320, "CONNECTION_FORCED"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => batch);
    }

    [Fact]
    public async Task A_batch_abandoned_for_the_next_is_canceled()
    {
        var confirms = new PublisherConfirms();
        var abandoned = confirms.Expect(1, 3);

        var next = confirms.Expect(1, 3);
        await confirms.OnAck(3, multiple: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await next.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }
}
