using System.Net;
using System.Net.Sockets;
using System.Text;
using Serilog;
using StreamSql.Runtime.Engine;
using StreamSql.Server.Net;

namespace StreamSql.Server.Http;

/// <summary>A minimal HTTP/1.1 endpoint: GET /health (alive), GET /ready (catalog replayed, queries running) and GET /metrics (Prometheus text).</summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<HealthEndpoint>();
    private readonly TcpAcceptLoop _loop;
    private readonly StreamEngine _engine;
    private readonly MetricsExporter _metrics;

    public HealthEndpoint(IPAddress address, int port, StreamEngine engine, Func<int> pgConnections, Prometheus.CollectorRegistry? registry = null)
    {
        _engine = engine;
        _metrics = new MetricsExporter(engine, pgConnections, registry);
        _loop = new TcpAcceptLoop(address, port, ServeAsync);
    }

    public int Port => _loop.Port;

    public void Start()
    {
        _loop.Start();
        Log.Information("HTTP health and metrics on {Endpoint}", _loop.LocalEndpoint);
    }

    private async Task ServeAsync(Socket socket, CancellationToken stopping)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(stopping).ConfigureAwait(false) ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync(stopping).ConfigureAwait(false)))
            {
            }

            var parts = requestLine.Split(' ');
            var path = parts.Length > 1 ? parts[1] : "/";
            var ready = _engine.IsReady;
            var (status, contentType, body) = path switch
            {
                "/health" => ("200 OK", "application/json", "{\"status\":\"ok\"}"),
                "/ready" when ready => ("200 OK", "application/json", "{\"status\":\"ready\"}"),
                "/ready" => ("503 Service Unavailable", "application/json", "{\"status\":\"not ready\",\"reason\":\"a persistent query is not running\"}"),
                "/metrics" => ("200 OK", "text/plain; version=0.0.4; charset=utf-8", await MetricsTextAsync(stopping).ConfigureAwait(false)),
                _ => ("404 Not Found", "text/plain", "not found\n"),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            var header = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(header), stopping).ConfigureAwait(false);
            await stream.WriteAsync(bytes, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }

    private async Task<string> MetricsTextAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await _metrics.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
