using System.Net;
using System.Net.Sockets;
using System.Text;
using Serilog;
using StreamSql.Runtime.Engine;

namespace StreamSql.Server.Http;

/// <summary>A minimal HTTP/1.1 endpoint: GET /health (alive), GET /ready (catalog replayed, queries running) and GET /metrics (Prometheus text).</summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<HealthEndpoint>();
    private readonly TcpListener _listener;
    private readonly StreamEngine _engine;
    private readonly MetricsExporter _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public HealthEndpoint(IPAddress address, int port, StreamEngine engine)
    {
        _listener = new TcpListener(address, port);
        _engine = engine;
        _metrics = new MetricsExporter(engine);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _loop = LoopAsync();
        Log.Information("HTTP health and metrics on {Endpoint}", _listener.LocalEndpoint);
    }

    private async Task LoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stopping.Token).ConfigureAwait(false) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stopping.Token).ConfigureAwait(false)))
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
                    "/metrics" => ("200 OK", "text/plain; version=0.0.4; charset=utf-8", await MetricsTextAsync().ConfigureAwait(false)),
                    _ => ("404 Not Found", "text/plain", "not found\n"),
                };
                var bytes = Encoding.UTF8.GetBytes(body);
                var header = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), _stopping.Token).ConfigureAwait(false);
                await stream.WriteAsync(bytes, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }

    private async Task<string> MetricsTextAsync()
    {
        using var buffer = new MemoryStream();
        await _metrics.WriteAsync(buffer, _stopping.Token).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
