using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Serilog;
using StreamSql.Server.Kafka.Handlers;
using StreamSql.Server.Kafka.Protocol;

namespace StreamSql.Server.Kafka;

/// <summary>One client connection: reads size-prefixed requests and answers each in order, as a Kafka broker does.</summary>
/// <remarks>
/// An unknown API key or an unsupported version gets an UNSUPPORTED_VERSION answer (for ApiVersions, the v0 response listing
/// our versions, as KIP-511 asks). A request that cannot be decoded, or that declares an impossible length, closes this
/// connection only, with a log line.
/// </remarks>
internal sealed class KafkaConnection(Stream stream, KafkaSession session, KafkaHandlers handlers, CancellationToken stopping)
{
    private static readonly ILogger Log = Serilog.Log.ForContext<KafkaConnection>();

    public async Task RunAsync()
    {
        using var response = new KafkaWriter();
        var lengthBytes = new byte[4];
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (!await ReadLengthAsync(lengthBytes).ConfigureAwait(false))
                {
                    return;
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
                if (length < 8 || length > KafkaDefaults.MaxRequestBytes)
                {
                    Log.Warning("Closing Kafka connection from {Remote}: request length {Length} is outside 8..{Max}", session.Remote, length, KafkaDefaults.MaxRequestBytes);
                    return;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, length), stopping).ConfigureAwait(false);
                    response.Reset();
                    if (await ServeAsync(buffer.AsMemory(0, length), response).ConfigureAwait(false))
                    {
                        await stream.WriteAsync(response.Written, stopping).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (KafkaProtocolException e)
        {
            Log.Warning("Closing Kafka connection from {Remote}: malformed request ({Reason})", session.Remote, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.Debug("Kafka connection from {Remote} ended: {Reason}", session.Remote, e.Message);
        }
        catch (Exception e)
        {
            Log.Error(e, "Kafka connection from {Remote} failed; closing it", session.Remote);
        }
        finally
        {
            session.Dispose();
        }
    }

    private async Task<bool> ReadLengthAsync(byte[] lengthBytes)
    {
        var read = 0;
        while (read < 4)
        {
            var n = await stream.ReadAsync(lengthBytes.AsMemory(read), stopping).ConfigureAwait(false);
            if (n == 0)
            {
                if (read > 0)
                {
                    Log.Warning("Closing Kafka connection from {Remote}: it ended inside a request length", session.Remote);
                }

                return false;
            }

            read += n;
        }

        return true;
    }

    /// <summary>Decodes the header, runs the handler and leaves the framed response in the writer; false when nothing is to be sent.</summary>
    private async Task<bool> ServeAsync(ReadOnlyMemory<byte> frame, KafkaWriter response)
    {
        var request = new KafkaReader(frame);
        var apiKey = request.Int16();
        var version = request.Int16();
        var correlationId = request.Int32();
        var handler = handlers.Find(apiKey);
        var lengthAt = response.Reserve(4);
        response.Int32(correlationId);
        if (handler is null || version < handler.MinVersion || version > handler.MaxVersion)
        {
            Log.Debug("Kafka request with API key {ApiKey} v{Version} from {Remote} is not supported", apiKey, version, session.Remote);
            if (apiKey == (short)ApiKey.ApiVersions)
            {
                ApiVersionsHandler.WriteBody(response, 0, ErrorCode.UnsupportedVersion, handlers.All);
            }
            else
            {
                response.Int16(ErrorCode.UnsupportedVersion);
            }

            response.PatchInt32(lengthAt, response.Position - 4);
            return true;
        }

        var header = new RequestHeader(apiKey, version, correlationId, request.NullableString());
        var flexible = version >= handler.FlexibleFrom;
        request.Flexible = flexible;
        request.TaggedFields();

        // ApiVersions answers with response header v0 even when its body is flexible, so old clients can always read it.
        response.Flexible = flexible && handler.Key != ApiKey.ApiVersions;
        response.TaggedFields();
        response.Flexible = flexible;
        var exchange = new KafkaExchange(header, session, request, response);
        if (!await handler.HandleAsync(exchange, stopping).ConfigureAwait(false))
        {
            return false;
        }

        response.PatchInt32(lengthAt, response.Position - 4);
        return true;
    }
}
