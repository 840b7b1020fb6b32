using System.Runtime.InteropServices;

namespace LocalDapr.Cli;

/// <summary>
/// SIGINT and SIGTERM both mean "stop cleanly". A script's background job starts with SIGINT ignored (POSIX), so
/// there only SIGTERM arrives; both are handled the same way wherever the process was started.
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
