using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DaprChat.Web.Tests;

/// <summary>What every browser test does: open pages (collecting script errors and CSP refusals), sign people up, look.</summary>
public abstract partial class WebTest(WebWorld world) : IAsyncDisposable
{
    public const int PhoneWidth = 390;
    public const int PhoneHeight = 844;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly List<IBrowserContext> _contexts = [];

    static WebTest() => SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);

    protected WebWorld World => world;

    protected List<string> PageErrors { get; } = [];

    protected async Task<IPage> OpenAsync(int width, int height)
    {
        var context = await world.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = world.BaseUrl });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        // Uncaught script errors and CSP violations fail the test. (Chromium also logs every refused fetch, such as a
        // ticket asked for after the chat ended, and every socket refused while the network is cut: those are handled.)
        page.PageError += (_, error) => PageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.StartsWith("Refused to", StringComparison.Ordinal) || message.Text.Contains("Uncaught", StringComparison.Ordinal)))
            {
                PageErrors.Add(message.Text);
            }
        };
        await page.GotoAsync("/");
        return page;
    }

    protected Task<IPage> OpenPhoneAsync() => OpenAsync(PhoneWidth, PhoneHeight);

    /// <summary>Each test's browsers close with it, so their polling and sockets do not slow the next test down.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebWorld.ScreenshotDir, $"{name}.png"), FullPage = true });

    protected void AssertNoPageErrors() => Assert.True(PageErrors.Count == 0, string.Join('\n', PageErrors));

    protected static async Task<string> RegisterStudentAsync(IPage page, string name)
    {
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@daprchat.test";
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Create your account" });
        await form.GetByLabel("A name for yourself").FillAsync(name);
        await form.GetByLabel("Email").FillAsync(email);
        await form.GetByLabel("Password").FillAsync(WebWorld.Password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Who would you like to talk to?" })).ToBeVisibleAsync();
        return email;
    }

    protected async Task<IPage> CounselorAtDeskAsync(string displayName, string topics)
    {
        var (email, code) = await world.InviteCounselorAsync(displayName);
        var page = await OpenAsync(1280, 900);
        await page.GetByText("I have a counsellor invite code").ClickAsync();
        var invite = page.GetByRole(AriaRole.Form, new() { Name = "Counsellors: accept your invite" });
        await invite.GetByLabel("Invite code").FillAsync(code);
        await invite.GetByLabel("Email").FillAsync(email);
        await invite.GetByLabel("New password").FillAsync(WebWorld.Password);
        await invite.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{displayName}'s desk" })).ToBeVisibleAsync();

        await page.GetByText("Your profile in the library").ClickAsync();
        await page.GetByLabel("Topics (comma-separated)").FillAsync(topics);
        await page.GetByLabel("Languages (comma-separated)").FillAsync("English, Welsh");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await page.GetByLabel("Your status").SelectOptionAsync("available");
        await Expect(page.GetByText("You are now available.")).ToBeVisibleAsync();
        return page;
    }

    protected static async Task AskAsync(IPage student, string counselor)
    {
        await student.Locator("li.book").Filter(new() { HasText = counselor }).GetByRole(AriaRole.Button, new() { Name = $"Ask to talk to {counselor}" }).ClickAsync();
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync($"Waiting for {counselor} to join");
    }

    protected static async Task JoinFirstRequestAsync(IPage counselor) =>
        await counselor.Locator("li.request").First.GetByRole(AriaRole.Button, new() { NameRegex = JoinButton() }).ClickAsync();

    protected static async Task SendAsync(IPage page, string text)
    {
        await page.GetByLabel("Your message").FillAsync(text);
        await page.GetByLabel("Your message").PressAsync("Enter");
    }

    protected static ILocator Messages(IPage page) => page.Locator("section.chat:visible ol.messages > li");

    protected static ILocator MyMessage(IPage page, string text) => page.Locator("section.chat:visible li.mine").Filter(new() { HasText = text });

    protected static async Task<string[]> TranscriptAsync(IPage page) =>
        (await Messages(page).Locator(".text").AllTextContentsAsync()).ToArray();

    /// <summary>
    /// Fails unless the visible chat's message box and Send button lie wholly inside what the screen shows (the top
    /// <paramref name="visibleHeight"/> pixels), with the page itself not scrolled.
    /// </summary>
    protected static async Task AssertComposerInViewAsync(IPage page, int visibleHeight)
    {
        Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
        foreach (var part in new[] { page.Locator("section.chat:visible textarea"), page.Locator("section.chat:visible").GetByRole(AriaRole.Button, new() { Name = "Send" }) })
        {
            var box = await part.BoundingBoxAsync() ?? throw new InvalidOperationException("the composer is not on screen");
            Assert.True(box.Y >= 0 && box.Y + box.Height <= visibleHeight, $"composer part at y={box.Y}..{box.Y + box.Height}, but only 0..{visibleHeight} is visible");
        }
    }

    /// <summary>
    /// The software keyboard as iOS opens it: the page keeps its size and only the visual viewport shrinks to the
    /// <paramref name="visibleHeight"/> pixels above the keyboard (Chromium cannot open a real one headless).
    /// </summary>
    protected static async Task OpenKeyboardOverVisualViewportAsync(IPage page, int visibleHeight) =>
        await page.EvaluateAsync("""
            height => {
                Object.defineProperty(window.visualViewport, 'height', { configurable: true, get: () => height });
                window.visualViewport.dispatchEvent(new Event('resize'));
            }
            """, visibleHeight);

    protected static async Task CloseKeyboardOverVisualViewportAsync(IPage page) =>
        await page.EvaluateAsync("() => { delete window.visualViewport.height; window.visualViewport.dispatchEvent(new Event('resize')); }");

    [GeneratedRegex("^Join ")]
    private static partial Regex JoinButton();
}
