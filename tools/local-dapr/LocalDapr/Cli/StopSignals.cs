using System.Runtime.InteropServices;

namespace LocalDapr.Cli;

/// <summary>
/// SIGINT and SIGTERM both mean "stop cleanly", wherever the process was started. A script's background job starts
/// with SIGINT ignored (POSIX), and .NET leaves a signal that was ignored at start-up ignored even with a registration,
/// so Main resets SIGINT's disposition to the default first (<see cref="AllowInterrupt"/>): then Ctrl-C, `kill -INT`
/// and `kill -TERM` all stop `up`.
/// </summary>
internal sealed partial class StopSignals : IDisposable
{
    private readonly TaskCompletionSource<string> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; _stopped.TrySetResult("interrupted"); }),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _stopped.TrySetResult("terminated"); }),
        ];
    }

    public Task<string> Stopped => _stopped.Task;

    public void Stop(string reason) => _stopped.TrySetResult(reason);

    /// <summary>Sends SIGTERM straight through kill(2): spawning kill(1) would fail once the working directory is gone.</summary>
    public static bool Terminate(int pid) => Kill(pid, 15) == 0;

    private const int SigInt = 2;

    /// <summary>
    /// Un-ignores SIGINT. Must run first thing in Main: once .NET has installed its own handler, resetting the
    /// disposition would remove that handler instead.
    /// </summary>
    public static void AllowInterrupt() => _ = Signal(SigInt, IntPtr.Zero /* SIG_DFL */);

    [LibraryImport("libc", EntryPoint = "signal")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr Signal(int signal, IntPtr handler);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
