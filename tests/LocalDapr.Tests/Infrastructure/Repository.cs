namespace LocalDapr.Tests.Infrastructure;

/// <summary>Paths in the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as the tests themselves were built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string LocalDaprDll => Path.Combine(Root, "tools", "local-dapr", "LocalDapr", "bin", Configuration, "net10.0", "local-dapr.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaprChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DaprChat.sln not found above " + AppContext.BaseDirectory);
    }
}
