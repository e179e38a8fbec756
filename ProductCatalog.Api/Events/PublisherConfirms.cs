using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ProductCatalog.Api.Events;

/// <summary>
/// The broker's confirmations of one batch of publishes on one channel, tracked from the channel's
/// ack, nack and shutdown events: the batch's task completes when every sequence number of the
/// batch was acked, and fails on a nack of any of them or when the channel shuts down.
/// </summary>
/// <remarks>
/// Instead of the client's own tracking (<c>publisherConfirmationTrackingEnabled</c>), which costs
/// each publish a task completion source, a concurrent dictionary entry and a sequence-number
/// header, and copies the whole dictionary of outstanding publishes on every multiple ack
/// (RabbitMQ.Client 7.2.2, Channel.PublisherConfirms.cs): with a batch of 500 in flight that is
/// quadratic. Here an ack costs the events it confirms, no more. One batch at a time: the relay
/// awaits one before it publishes the next.
/// </remarks>
internal sealed class PublisherConfirms
{
    private readonly Lock _lock = new();
    private bool[] _acked = [];
    private ulong _first;
    private int _count;
    private int _lowestUnacked;
    private int _outstanding;
    private TaskCompletionSource? _batch;

    /// <summary>Listens to <paramref name="channel"/>'s confirmations (it must have publisher confirmations on, tracking off).</summary>
    public static PublisherConfirms Attach(IChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var confirms = new PublisherConfirms();
        channel.BasicAcksAsync += (_, e) => confirms.OnAck(e.DeliveryTag, e.Multiple);
        channel.BasicNacksAsync += (_, e) => confirms.OnNack(e.DeliveryTag, e.Multiple);
        channel.ChannelShutdownAsync += (_, e) => confirms.OnShutdown(e);
        return confirms;
    }

    /// <summary>
    /// Call before publishing the batch's first message: the task of the <paramref name="count"/>
    /// publishes numbered from <paramref name="firstSequenceNumber"/> on.
    /// </summary>
    public Task Expect(ulong firstSequenceNumber, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_lock)
        {
            // A batch abandoned half-way (a failed publish, a timeout) is failed so nothing awaits it any more.
            _batch?.TrySetCanceled();
            if (_acked.Length < count)
            {
                _acked = new bool[count];
            }
            else
            {
                Array.Clear(_acked, 0, count);
            }

            _first = firstSequenceNumber;
            _count = count;
            _lowestUnacked = 0;
            _outstanding = count;
            // Asynchronous continuations: the relay must not go on publishing on the client's reading loop.
            _batch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _batch.Task;
        }
    }

    internal Task OnAck(ulong deliveryTag, bool multiple)
    {
        lock (_lock)
        {
            if (_batch is null || deliveryTag < _first)
            {
                return Task.CompletedTask;
            }

            var index = deliveryTag - _first;
            if (multiple)
            {
                var through = (int)Math.Min(index, (ulong)_count - 1);
                for (var i = _lowestUnacked; i <= through; i++)
                {
                    Acknowledge(i);
                }
            }
            else if (index < (ulong)_count)
            {
                Acknowledge((int)index);
            }

            while (_lowestUnacked < _count && _acked[_lowestUnacked])
            {
                _lowestUnacked++;
            }

            if (_outstanding == 0)
            {
                _batch.TrySetResult();
                _batch = null;
            }
        }

        return Task.CompletedTask;
    }

    internal Task OnNack(ulong deliveryTag, bool multiple)
    {
        lock (_lock)
        {
            if (_batch is not null && deliveryTag >= _first && (multiple || deliveryTag - _first < (ulong)_count))
            {
                _batch.TrySetException(new InvalidOperationException($"The broker did not take publish {deliveryTag} (nack); the batch is published again."));
                _batch = null;
            }
        }

        return Task.CompletedTask;
    }

    internal Task OnShutdown(ShutdownEventArgs reason)
    {
        lock (_lock)
        {
            _batch?.TrySetException(new InvalidOperationException($"The broker channel closed before it confirmed the batch: {reason.ReplyCode} {reason.ReplyText}"));
            _batch = null;
        }

        return Task.CompletedTask;
    }

    private void Acknowledge(int index)
    {
        if (!_acked[index])
        {
            _acked[index] = true;
            _outstanding--;
        }
    }
}
