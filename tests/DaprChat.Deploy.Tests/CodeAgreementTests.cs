using DaprChat.Contracts;
using DaprChat.Deploy.Tests.Rules;
using Xunit;
using static DaprChat.Deploy.Tests.Problems;

namespace DaprChat.Deploy.Tests;

/// <summary>The apps' own sources and DaprTopology say the same, and the topology is whole in itself.</summary>
public sealed class CodeAgreementTests
{
    [Theory]
    [InlineData(DaprNames.Apps.Main)]
    [InlineData(DaprNames.Apps.Chat)]
    [InlineData(DaprNames.Apps.Notify)]
    [InlineData(DaprNames.Apps.Summarize)]
    public void Every_dapr_name_and_secret_an_apps_code_uses_is_declared_for_it(string appId)
    {
        var sources = CodeRules.SourcesOf(appId).ToList();
        Assert.NotEmpty(sources);
        AssertNone(CodeRules.NamesUsedByCode(appId, sources));
    }

    [Fact]
    public void Every_published_topic_has_a_subscriber_and_every_subscribed_topic_a_publisher()
    {
        var published = DaprTopology.Apps.SelectMany(a => a.Publishes).ToHashSet();
        var subscribed = DaprTopology.Apps.SelectMany(a => a.Subscribes).ToHashSet();
        AssertNone(published.Except(subscribed).Select(t => $"{t.Topic} on {t.PubSub} is published but nobody subscribes")
            .Concat(subscribed.Except(published).Select(t => $"{t.Topic} on {t.PubSub} is subscribed but nobody publishes")));
    }

    [Fact]
    public void Every_topic_and_invocation_names_a_known_pub_sub_topic_and_app()
    {
        var topics = typeof(DaprNames.Topics).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var problems = DaprTopology.Apps.SelectMany(a => a.Publishes.Concat(a.Subscribes)
                .Where(t => !topics.Contains(t.Topic) || !ComponentRules.PubSubs.Contains(t.PubSub))
                .Select(t => $"{a.AppId}: {t.Topic} on {t.PubSub} is not a DaprNames topic on a DaprNames pub/sub")
                .Concat(a.Invokes.Where(i => DaprTopology.Apps.All(b => b.AppId != i.TargetApp) || i.TargetApp == a.AppId)
                    .Select(i => $"{a.AppId}: invokes {i.TargetApp}, which is not another app")));
        AssertNone(problems);
    }
}
