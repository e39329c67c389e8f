using Serilog;
using Serilog.Events;
using StreamSql.Server;

ServerOptions options;
try
{
    options = ServerOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync("streamsql: " + e.Message);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(ServerOptions.Help);
    return 0;
}

var level = options.LogLevel switch
{
    "verbose" => LogEventLevel.Verbose,
    "debug" => LogEventLevel.Debug,
    "warning" => LogEventLevel.Warning,
    "error" => LogEventLevel.Error,
    "fatal" => LogEventLevel.Fatal,
    _ => LogEventLevel.Information,
};
var logging = new LoggerConfiguration().MinimumLevel.Is(level);
Log.Logger = (options.LogFormat == "json"
        ? logging.WriteTo.Console(new Serilog.Formatting.Compact.CompactJsonFormatter())
        : logging.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"))
    .CreateLogger();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

try
{
    await using var server = await StreamSqlServer.StartAsync(options, stop.Token);
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    Log.Information("Shutting down");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or System.Net.Sockets.SocketException)
{
    Log.Fatal("Cannot start: {Reason}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
