using System.Diagnostics;

namespace DaprChat.Deploy.Tests;

/// <summary>One Kubernetes or Dapr resource, from a rendered kustomization or a YAML file.</summary>
public sealed record Resource(string Kind, string Name, Dictionary<string, object?> Root, string Source)
{
    public string Label => $"{Kind}/{Name}";

    public static Resource From(Dictionary<string, object?> root, string source) =>
        new(root.Str("kind") ?? "", root.At("metadata").Str("name") ?? "", root, source);
}

/// <summary>A set of resources, as one environment declares them.</summary>
public sealed class ResourceSet(IEnumerable<Resource> resources)
{
    public IReadOnlyList<Resource> All { get; } = resources.ToList();

    public IEnumerable<Resource> Of(string kind) => All.Where(r => r.Kind == kind);

    public Resource? Find(string kind, string name) => All.FirstOrDefault(r => r.Kind == kind && r.Name == name);

    public static ResourceSet Parse(string yaml, string source) =>
        new(Yaml.ReadDocuments(yaml, source).Select(d => Resource.From(d, source)));

    /// <summary>Every YAML file directly in <paramref name="directory"/>, as daprd reads a resources path (no sub-folders).</summary>
    public static ResourceSet ReadDirectory(string directory) => new(
        Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => Yaml.ReadDocuments(File.ReadAllText(f), f).Select(d => Resource.From(d, f))));

    public ResourceSet With(IEnumerable<Resource> more) => new(All.Concat(more));
}

/// <summary>The repository's own deployment files.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

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

    private static readonly Lazy<string> KubernetesYaml = new(() => Kustomize(PathOf("k8s")));
    private static readonly Lazy<string> ControlPlaneYaml = new(() => Kustomize(PathOf("k8s", "control-plane")));

    /// <summary>What <c>kubectl kustomize k8s/</c> renders (each call parses afresh, so a test may change its copy).</summary>
    public static ResourceSet Kubernetes() => ResourceSet.Parse(KubernetesYaml.Value, "kubectl kustomize k8s/");

    public static ResourceSet ControlPlane() => ResourceSet.Parse(ControlPlaneYaml.Value, "kubectl kustomize k8s/control-plane");

    /// <summary>components/selfhosted with the per-app Configurations that dapr.yaml names.</summary>
    public static ResourceSet SelfHosted() => ResourceSet.ReadDirectory(PathOf("components", "selfhosted"))
        .With(ResourceSet.ReadDirectory(PathOf("components", "selfhosted", "config")).All);

    public static ResourceSet Components(string folder) => ResourceSet.ReadDirectory(PathOf("components", folder));

    public static Dictionary<string, object?> RunTemplate() =>
        Yaml.ReadDocuments(File.ReadAllText(PathOf("dapr.yaml")), "dapr.yaml").Single();

    /// <summary>
    /// Runs the machine's kubectl (1.32 with kustomize 5.5 here). Missing kubectl is a failure with the reason, never a
    /// skip: the manifests would go unchecked.
    /// </summary>
    public static string Kustomize(string directory, string kubectl = "kubectl")
    {
        var info = new ProcessStartInfo(kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"{kubectl} is not on PATH, so k8s/ cannot be rendered and checked. These tests need kubectl 1.27 or newer " +
                "(kustomize built in); the machine image ships 1.32. Debian's kubernetes-client (1.20) is too old.", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {directory} did not finish in 60 s");
            }

            return process.ExitCode == 0
                ? stdout.Result
                : throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
        }
    }
}
