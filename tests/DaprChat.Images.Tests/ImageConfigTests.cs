using Xunit;

namespace DaprChat.Images.Tests;

/// <summary>What the SDK put into each image: a non-root user, the app as entrypoint, port 8080, nothing else to run.</summary>
public sealed class ImageConfigTests(ImageBuild images) : IClassFixture<ImageBuild>
{
    public static TheoryData<string, string> Apps => new()
    {
        { "main", "DaprChat.Main" },
        { "chat", "DaprChat.Chat" },
        { "notify", "DaprChat.Notify" },
        { "summarize", "DaprChat.Summarize" },
    };

    [Theory]
    [MemberData(nameof(Apps))]
    public void The_image_runs_as_the_non_root_user_1654(string app, string assembly)
    {
        _ = assembly;
        var (config, _) = images.Read(app);
        Assert.Equal("1654", config.GetProperty("User").GetString());
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void The_image_starts_the_self_contained_app_from_app_folder(string app, string assembly)
    {
        var (config, files) = images.Read(app);
        Assert.Equal([$"/app/{assembly}"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app/", config.GetProperty("WorkingDir").GetString());
        Assert.Contains($"app/{assembly}", files);
        Assert.Contains($"app/{assembly}.dll", files);
        // Self-contained: the runtime travels with the app, so the base needs no .NET.
        Assert.Contains("app/libcoreclr.so", files);
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void The_image_exposes_8080_and_tells_kestrel_to_listen_there(string app, string assembly)
    {
        _ = assembly;
        var (config, _) = images.Read(app);
        Assert.Equal(["8080/tcp"], config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void No_image_carries_secrets_or_dev_keys()
    {
        foreach (var app in new[] { "main", "chat", "notify", "summarize" })
        {
            var (_, files) = images.Read(app);
            Assert.DoesNotContain(files, f => f.Contains(".keys/", StringComparison.Ordinal) || f.EndsWith("secrets.dev.json", StringComparison.Ordinal)
                || f.EndsWith(".pem", StringComparison.Ordinal) || f.EndsWith(".key", StringComparison.Ordinal));
        }
    }
}
