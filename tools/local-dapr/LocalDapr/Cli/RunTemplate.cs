using LocalDapr.Components;

namespace LocalDapr.Cli;

/// <summary>One app of a `dapr run -f` template, with common settings merged and paths resolved.</summary>
public sealed record TemplateApp(
    string AppId,
    string AppDir,
    int? AppPort,
    int? DaprHttpPort,
    int? DaprGrpcPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> ResourcesPaths,
    string? ConfigPath,
    string AppHealthCheckPath,
    string AppProtocol);

/// <summary>The multi-app run template (dapr CLI's run_file_config.go): version, common, apps.</summary>
public static class RunTemplate
{
    public static IReadOnlyList<TemplateApp> Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new LocalDaprConfigException($"run template {file} does not exist");
        }

        var doc = ResourceFile.ReadDocuments(file).FirstOrDefault() ?? throw new LocalDaprConfigException($"{file} is empty");
        if (doc.Str("version") is not { } version || version == "0")
        {
            throw new LocalDaprConfigException($"{file}: 'version' is required (use 1)");
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var common = doc.Map("common") ?? [];
        var apps = new List<TemplateApp>();
        foreach (var raw in doc.List("apps") ?? throw new LocalDaprConfigException($"{file}: 'apps' is required"))
        {
            var app = ResourceFile.ToStringMap(raw, file);
            var dirText = app.Str("appDirPath") ?? throw new LocalDaprConfigException($"{file}: every app needs appDirPath");
            var appDir = Path.GetFullPath(Path.Combine(baseDir, dirText));
            var appId = app.Str("appID") ?? Path.GetFileName(appDir.TrimEnd('/'));
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var source in new[] { common.Map("env"), app.Map("env") })
            {
                foreach (var (k, v) in source ?? [])
                {
                    env[k] = v?.ToString() ?? "";
                }
            }

            // App-level paths resolve against appDirPath, common ones against the template file.
            var resources = Paths(app, "resourcesPaths", appDir) ?? Paths(common, "resourcesPaths", baseDir) ?? [];
            var config = app.Str("configFilePath") is { } c ? Path.GetFullPath(Path.Combine(appDir, c))
                : common.Str("configFilePath") is { } cc ? Path.GetFullPath(Path.Combine(baseDir, cc)) : null;
            apps.Add(new TemplateApp(
                appId,
                appDir,
                Int(app, "appPort", file),
                Int(app, "daprHTTPPort", file),
                Int(app, "daprGRPCPort", file),
                (app.List("command") ?? []).Select(x => x?.ToString() ?? "").ToList(),
                env,
                resources,
                config,
                app.Str("appHealthCheckPath") ?? common.Str("appHealthCheckPath") ?? "/healthz",
                app.Str("appProtocol") ?? common.Str("appProtocol") ?? "http"));
        }

        var duplicate = apps.GroupBy(a => a.AppId).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? apps : throw new LocalDaprConfigException($"{file}: app id {duplicate.Key} appears twice");
    }

    private static List<string>? Paths(Dictionary<string, object?> map, string key, string relativeTo)
    {
        var list = map.List(key)?.Select(x => x?.ToString() ?? "").Where(x => x.Length > 0).ToList();
        if (list is null && map.Str(key) is { Length: > 0 } scalar)
        {
            list = [scalar];
        }

        return list?.Select(p => Path.GetFullPath(Path.Combine(relativeTo, p))).ToList();
    }

    private static int? Int(Dictionary<string, object?> map, string key, string file) => map.Str(key) is { } v
        ? int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : throw new LocalDaprConfigException($"{file}: {key} must be a number")
        : null;
}
