using Confluent.Kafka;
using Serilog;
using Serilog.Events;

namespace StreamSql.Runtime.Topics.Kafka;

/// <summary>Routes librdkafka's log lines and client errors to Serilog, so no Kafka client ever writes to the console.</summary>
internal static class KafkaClientLogging
{
    private static readonly ILogger Log = Serilog.Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "StreamSql.Runtime.Topics.Kafka.librdkafka");

    public static void OnLog(LogMessage message)
    {
        // librdkafka uses syslog levels: 0-3 errors, 4 warnings, 5-6 notices, 7 debug.
        var level = (int)message.Level switch
        {
            <= 3 => LogEventLevel.Error,
            4 => LogEventLevel.Warning,
            <= 6 => LogEventLevel.Debug,
            _ => LogEventLevel.Verbose,
        };
        Log.Write(level, "{Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);
    }

    public static void OnError(string client, Error error)
    {
        if (error.IsFatal)
        {
            Log.Error("Kafka {Client} fatal error {Code}: {Reason}", client, error.Code, error.Reason);
        }
        else
        {
            // Transient errors (a broker going away, a timed-out request) are retried by librdkafka itself.
            Log.Debug("Kafka {Client} error {Code}: {Reason}", client, error.Code, error.Reason);
        }
    }
}
