using System.Reflection;
using System.Text.RegularExpressions;
using DaprChat.Contracts;

namespace DaprChat.Deploy.Tests.Rules;

/// <summary>
/// The apps' code against <see cref="DaprTopology"/>: every Dapr name an app's sources name (through DaprNames, as the
/// team's rules require) and every secret name an options class defaults to must be declared for that app.
/// </summary>
public static partial class CodeRules
{
    public static IEnumerable<string> NamesUsedByCode(string appId, IEnumerable<(string File, string Text)> sources)
    {
        var app = DaprTopology.For(appId);
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["StateStores"] = app.StateStores.ToHashSet(),
            ["PubSubs"] = app.PubSubs.ToHashSet(),
            ["Topics"] = app.MayPublish.Concat(app.MaySubscribe).Select(t => t.Topic).ToHashSet(),
            ["ActorTypes"] = app.HostsActorTypes.Concat(app.CallsActorTypes).ToHashSet(),
            ["Workflows"] = app.HostsWorkflows.ToHashSet(),
        };
        foreach (var (file, text) in sources)
        {
            foreach (Match match in NameReference().Matches(text))
            {
                var (group, member) = (match.Groups["group"].Value, match.Groups["member"].Value);
                if (!declared.TryGetValue(group, out var names))
                {
                    continue;
                }

                var value = Constant(group, member);
                if (value is null)
                {
                    yield return $"{file}: DaprNames.{group}.{member} is not a constant of DaprNames";
                }
                else if (!names.Contains(value))
                {
                    yield return $"{file}: {appId} uses {group} {value} (DaprNames.{group}.{member}), which DaprTopology.{Title(appId)} does not declare";
                }
            }

            foreach (Match match in InvocationOf().Matches(text))
            {
                var target = Constant("Apps", match.Groups["member"].Value);
                if (target is not null && target != appId && app.Invokes.All(i => i.TargetApp != target))
                {
                    yield return $"{file}: {appId} invokes {target}, which DaprTopology.{Title(appId)} does not declare (nor its access rule)";
                }
            }

            if (SecretStoreReference().IsMatch(text) && app.Secrets.Count == 0)
            {
                yield return $"{file}: {appId} reads the secret store, but DaprTopology.{Title(appId)} declares no secrets";
            }

            foreach (Match match in SecretNameDefault().Matches(text))
            {
                if (!app.Secrets.Contains(match.Groups["name"].Value))
                {
                    yield return $"{file}: {appId} reads secret {match.Groups["name"].Value}, which DaprTopology.{Title(appId)} does not declare";
                }
            }
        }
    }

    public static IEnumerable<(string File, string Text)> SourcesOf(string appId)
    {
        var folder = Repository.PathOf("services", appId);
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(Repository.Root, f), File.ReadAllText(f)));
    }

    private static string? Constant(string group, string member) =>
        typeof(DaprNames).GetNestedType(group)?.GetField(member, BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    private static string Title(string appId) => char.ToUpperInvariant(appId[0]) + appId[1..];

    [GeneratedRegex(@"DaprNames\.(?<group>[A-Z][A-Za-z]+)\.(?<member>[A-Z][A-Za-z0-9]*)")]
    private static partial Regex NameReference();

    /// <summary>A service invocation naming its target app: <c>InvokeMethodAsync(HttpMethod.Get, DaprNames.Apps.Main, ...)</c>.</summary>
    [GeneratedRegex(@"Invoke\w*Method\w*(?:<[^>]*>)?\([^;]*?DaprNames\.Apps\.(?<member>[A-Z][A-Za-z0-9]*)")]
    private static partial Regex InvocationOf();

    [GeneratedRegex(@"DaprNames\.SecretStore\b")]
    private static partial Regex SecretStoreReference();

    /// <summary>Options that name a secret: <c>public string SigningKeySecret { get; set; } = "main-signing-key";</c></summary>
    [GeneratedRegex(@"string\??\s+\w*Secret\s*\{\s*get;\s*(?:set|init);\s*\}\s*=\s*""(?<name>[^""]+)""")]
    private static partial Regex SecretNameDefault();
}
