using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace StreamSql.EndToEnd.Tests;

/// <summary>Keeps the server's log events in memory so tests can check that something was logged.</summary>
internal sealed class CapturedLog : ILogEventSink
{
    private static readonly ConcurrentQueue<LogEvent> Events = new();

    /// <summary>Called by TestServer's static constructor, before any server type loads: Serilog's static loggers bind to the logger present when first used.</summary>
    internal static void Install() =>
        Log.Logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(new CapturedLog()).CreateLogger();

    public void Emit(LogEvent logEvent)
    {
        Events.Enqueue(logEvent);
        while (Events.Count > 10_000 && Events.TryDequeue(out _))
        {
        }
    }

    /// <summary>Rendered messages at warning level or above that contain fragment.</summary>
    public static IReadOnlyList<string> Warnings(string fragment) =>
        Events.Where(e => e.Level >= LogEventLevel.Warning).Select(e => e.RenderMessage()).Where(m => m.Contains(fragment, StringComparison.Ordinal)).ToList();
}
