using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;

namespace DaprChat.Images.Tests;

/// <summary>
/// The four images, built once per run by k8s/images/build.sh --offline-base (the SDK's PublishContainer onto a
/// distroless Debian base served from a loopback registry, since no public registry is reachable here).
/// </summary>
public sealed class ImageBuild : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "daprchat-images-" + Guid.NewGuid().ToString("N"));

    public string Log { get; }

    public ImageBuild()
    {
        var script = Path.Combine(FindRoot(), "k8s", "images", "build.sh");
        // At low priority: four self-contained publishes would otherwise crowd the test projects running beside this one.
        var info = new ProcessStartInfo("nice", ["-n", "15", "bash", script, "--offline-base", Directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("k8s/images/build.sh did not finish in 15 minutes");
        }

        Log = stdout.Result + stderr.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"k8s/images/build.sh --offline-base failed ({process.ExitCode}):\n{Log}");
        }
    }

    /// <summary>The image's config object (the OCI config blob's "config"), read from the archive's index and manifest.</summary>
    public (JsonElement Config, IReadOnlyList<string> Files) Read(string app)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var stream = File.OpenRead(Path.Combine(Directory, $"daprchat-{app}.tar")))
        using (var reader = new TarReader(stream))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    blobs[entry.Name] = copy.ToArray();
                }
            }
        }

        JsonElement Json(string name) => JsonDocument.Parse(blobs[name]).RootElement;
        string Blob(JsonElement descriptor) => "blobs/sha256/" + descriptor.GetProperty("digest").GetString()!["sha256:".Length..];
        var manifest = Json(Blob(Json("index.json").GetProperty("manifests")[0]));
        var config = Json(Blob(manifest.GetProperty("config"))).GetProperty("config");
        // The app's own layer is the last one: list what it holds.
        var layer = blobs[Blob(manifest.GetProperty("layers").EnumerateArray().Last())];
        var files = new List<string>();
        using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(layer), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                files.Add(entry.Name.TrimStart('.', '/'));
            }
        }

        return (config, files);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

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
