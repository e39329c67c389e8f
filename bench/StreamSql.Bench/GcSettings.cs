using System.Diagnostics;

namespace StreamSql.Bench;

/// <summary>
/// The benchmark measures the engine as the server runs it: with the gen0 budget the Dockerfile and the launch profile
/// set. A batch of rows stays alive across its commit wait; under the default budget (sized from the CPU cache) the
/// collections that happen during that wait promote it, and gen1 collects it again. The runtime reads this setting only
/// from the environment, hence a restart of the process with it.
/// </summary>
internal static class GcSettings
{
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";

    // 64 MB per GC heap (the runtime reads the value as hexadecimal). With Server GC (src/EngineHost.props) there is a
    // heap per core: 256 MB each (the budget chosen under workstation GC) faulted in 670 MB of fresh pages per 10 M q0
    // events with two workers, against 215 MB for one, and cost q0 and q5 with two workers 10-15%.
    public const string Gen0Size = "0x4000000";

    /// <summary>Runs this benchmark again in a child process with the setting and returns its exit code; null when it is set already.</summary>
    public static int? RestartWithServerSettings(string[] args)
    {
        if (Environment.GetEnvironmentVariable(Gen0SizeVariable) is not null || Environment.ProcessPath is not { } process)
        {
            return null;
        }

        var start = new ProcessStartInfo(process) { UseShellExecute = false };
        var commandLine = Environment.GetCommandLineArgs();

        // Under "dotnet StreamSql.Bench.dll" the first argument is the assembly; under the apphost it is the host itself.
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            start.ArgumentList.Add(commandLine[0]);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[Gen0SizeVariable] = Gen0Size;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not restart {process}");
        child.WaitForExit();
        return child.ExitCode;
    }
}
