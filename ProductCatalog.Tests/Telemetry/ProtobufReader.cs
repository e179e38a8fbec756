using System.Buffers.Binary;
using System.Text;

namespace ProductCatalog.Tests.Telemetry;

/// <summary>
/// Reads the protobuf wire format field by field, without generated classes: enough to walk
/// the OTLP export requests (the OTLP .proto classes are not published as a NuGet package).
/// </summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public int FieldNumber { get; private set; }

    public int WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (_position >= _buffer.Length)
        {
            return false;
        }

        var tag = ReadVarint();
        FieldNumber = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("Malformed varint.");
    }

    public ulong ReadFixed64()
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = checked((int)ReadVarint());
        var bytes = _buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    public void Skip()
    {
        switch (WireType)
        {
            case 0: ReadVarint(); break;
            case 1: _position += 8; break;
            case 2: ReadBytes(); break;
            case 5: _position += 4; break;
            default: throw new InvalidDataException($"Unsupported wire type {WireType}.");
        }
    }
}
