using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DaprChat.Web.Tests;

/// <summary>A student and a counsellor, each in their own browser context, through the whole web client.</summary>
[Collection(WebCollection.Name)]
public sealed class StudentAndCounselorTests(WebWorld world) : WebTest(world)
{
    [Fact]
    public async Task A_student_and_a_counsellor_chat_both_ways_with_read_marks_survive_a_dropped_network_and_end_the_chat()
    {
        var counselor = await CounselorAtDeskAsync("Dr Rowan", "exam stress, sleep");
        await ScreenshotAsync(counselor, "01-counsellor-desk");

        // The student, on a phone-sized screen, finds the counsellor by topic and asks to talk.
        var student = await OpenAsync(390, 844);
        await RegisterStudentAsync(student, "Sam");
        await student.GetByLabel("Topic").SelectOptionAsync("exam stress");
        var book = student.Locator("li.book").Filter(new() { HasText = "Dr Rowan" });
        await Expect(book).ToContainTextAsync("Available now");
        await Expect(book).ToContainTextAsync("0 of 3 chats in progress");
        await book.GetByRole(AriaRole.Button, new() { Name = "Ask to talk to Dr Rowan" }).ClickAsync();

        // Waiting: the student can already write; the chat's 24-hour rule is stated plainly.
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Waiting for Dr Rowan to join");
        await Expect(student.GetByRole(AriaRole.Note)).ToContainTextAsync("This chat disappears 24 hours after the last message");
        await student.GetByLabel("Your message").FillAsync("Hi, is anyone there?");
        await student.GetByLabel("Your message").PressAsync("Enter");
        await Expect(MyMessage(student, "Hi, is anyone there?").GetByTestId("mark")).ToHaveTextAsync("Sent");

        // The counsellor sees the request by alias, joins, and the student's message is marked read.
        var request = counselor.Locator("li.request");
        await Expect(request).ToHaveCountAsync(1);
        await request.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Join ") }).ClickAsync();
        await Expect(counselor.Locator("section.chat:visible")).ToContainTextAsync("Hi, is anyone there?");
        await Expect(MyMessage(student, "Hi, is anyone there?").GetByTestId("mark")).ToHaveTextAsync("Read");
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Dr Rowan has joined");
        await Expect(student.GetByTestId("presence")).ToHaveTextAsync("Online");

        // Typing shows on the other side; the reply arrives and is read.
        await counselor.GetByLabel("Your message").PressSequentiallyAsync("Hello, I'm here. What's on your mind?");
        await Expect(student.GetByTestId("typing")).ToHaveTextAsync("Dr Rowan is typing…");
        await counselor.GetByLabel("Your message").PressAsync("Enter");
        await Expect(student.Locator("section.chat li.theirs")).ToContainTextAsync("Hello, I'm here. What's on your mind?");
        await Expect(MyMessage(counselor, "Hello, I'm here").GetByTestId("mark")).ToHaveTextAsync("Read");
        await Expect(student.GetByTestId("typing")).ToHaveTextAsync("");

        // The network drops under both: each side shows it is reconnecting and queues what it writes.
        World.ChatProxy.Cut();
        await Expect(student.GetByTestId("connection")).ToContainTextAsync("Reconnecting");
        await Expect(counselor.GetByTestId("connection")).ToContainTextAsync("Reconnecting");
        await student.GetByLabel("Your message").FillAsync("Exams are next week and I can't sleep.");
        await student.GetByLabel("Your message").PressAsync("Enter");
        await counselor.GetByLabel("Your message").FillAsync("Take your time.");
        await counselor.GetByLabel("Your message").PressAsync("Enter");
        await Expect(MyMessage(student, "Exams are next week").GetByTestId("mark")).ToHaveTextAsync("Sending…");
        await ScreenshotAsync(student, "06-student-reconnecting");
        World.ChatProxy.Restore();

        // Back: both resume, nothing lost, nothing doubled, the same order on both screens.
        await Expect(student.GetByTestId("connection")).ToBeEmptyAsync();
        await Expect(counselor.GetByTestId("connection")).ToBeEmptyAsync();
        await Expect(MyMessage(student, "Exams are next week").GetByTestId("mark")).ToHaveTextAsync("Read");
        await Expect(MyMessage(counselor, "Take your time.").GetByTestId("mark")).ToHaveTextAsync("Read");
        await Expect(Messages(student)).ToHaveCountAsync(4);
        await Expect(Messages(counselor)).ToHaveCountAsync(4);
        var seen = await TranscriptAsync(student);
        Assert.Equal(seen, await TranscriptAsync(counselor));
        Assert.Equal(["Hi, is anyone there?", "Hello, I'm here. What's on your mind?"], seen[..2]);
        Assert.Equal(
            ["Exams are next week and I can't sleep.", "Take your time."],
            seen[2..].Order(StringComparer.Ordinal));

        // Nothing of the conversation is kept in the browser's storage.
        var stored = await student.EvaluateAsync<string>("() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })");
        Assert.DoesNotContain("Exams", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("ticket", stored, StringComparison.OrdinalIgnoreCase);

        // The student ends the chat: both sides are told, and the composer closes.
        await student.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await student.GetByRole(AriaRole.Button, new() { Name = "Yes, end the chat" }).ClickAsync();
        await Expect(student.GetByTestId("request-status")).ToHaveTextAsync("You ended the chat.");
        await Expect(counselor.GetByTestId("connection")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z][a-z]+ [A-Z][a-z]+ ended the chat\\.$"));
        await Expect(counselor.GetByLabel("Your message")).ToBeDisabledAsync();
        Assert.True(PageErrors.Count == 0, string.Join('\n', PageErrors));
    }

    [Fact]
    public async Task The_quick_exit_leaves_for_a_neutral_site_at_once_and_a_return_visit_finds_nobody_signed_in()
    {
        var student = await OpenAsync(390, 844);
        await student.Context.RouteAsync("https://www.bbc.com/**", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = "<h1>Weather</h1>" }));
        await RegisterStudentAsync(student, "Alex");
        Assert.NotNull(await student.EvaluateAsync<string?>("() => sessionStorage.getItem('daprchat.refresh')"));

        await student.GetByRole(AriaRole.Button, new() { Name = "Leave quickly" }).ClickAsync();

        // The URL, not the load event: the neutral page is replaced in, and Playwright may miss its load.
        await Expect(student).ToHaveURLAsync("https://www.bbc.com/weather");
        await Expect(student.GetByRole(AriaRole.Heading, new() { Name = "Weather" })).ToBeVisibleAsync();
        await student.GotoAsync(World.BaseUrl);
        await Expect(student.GetByRole(AriaRole.Heading, new() { Name = "Talk to someone who listens" })).ToBeVisibleAsync();
        Assert.Null(await student.EvaluateAsync<string?>("() => sessionStorage.getItem('daprchat.refresh')"));
    }

    [Fact]
    public async Task A_counsellor_holds_two_chats_in_tabs_and_a_message_in_the_other_tab_shows_as_unread_until_opened()
    {
        var counselor = await CounselorAtDeskAsync("Ms Ash", "family");
        var first = await OpenAsync(390, 844);
        var second = await OpenAsync(390, 844);
        foreach (var (student, name) in new[] { (first, "Robin"), (second, "Kit") })
        {
            await RegisterStudentAsync(student, name);
            await student.Locator("li.book").Filter(new() { HasText = "Ms Ash" }).GetByRole(AriaRole.Button, new() { Name = "Ask to talk to Ms Ash" }).ClickAsync();
            await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Waiting for Ms Ash to join");
        }

        await Expect(counselor.Locator("li.request")).ToHaveCountAsync(2);
        await counselor.Locator("li.request").First.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Join ") }).ClickAsync();
        await Expect(counselor.Locator("li.request")).ToHaveCountAsync(1);
        await counselor.Locator("li.request").First.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Join ") }).ClickAsync();
        var tabs = counselor.GetByRole(AriaRole.Tab);
        await Expect(tabs).ToHaveCountAsync(2);
        await Expect(tabs.Nth(1)).ToHaveAttributeAsync("aria-selected", "true");

        // Robin asked first, so Robin's chat is the first tab, which is not the one on screen.
        await Expect(first.GetByTestId("request-status")).ToContainTextAsync("Ms Ash has joined");
        await first.GetByLabel("Your message").FillAsync("Are you still with me?");
        await first.GetByLabel("Your message").PressAsync("Enter");
        await Expect(tabs.Nth(0).GetByTestId("unread")).ToHaveTextAsync("1");
        await Expect(tabs.Nth(0)).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(", 1 unread$"));
        await Expect(MyMessage(first, "Are you still with me?").GetByTestId("mark")).ToHaveTextAsync("Delivered");
        await ScreenshotAsync(counselor, "10-counsellor-two-chats");

        // Keyboard: arrow keys move between tabs; opening the tab reads the message.
        await tabs.Nth(1).FocusAsync();
        await counselor.Keyboard.PressAsync("ArrowLeft");
        await Expect(tabs.Nth(0)).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(tabs.Nth(0).GetByTestId("unread")).ToBeHiddenAsync();
        await Expect(MyMessage(first, "Are you still with me?").GetByTestId("mark")).ToHaveTextAsync("Read");
        Assert.True(PageErrors.Count == 0, string.Join('\n', PageErrors));
    }

    [Fact]
    public async Task The_web_client_is_served_under_a_policy_that_runs_only_mains_scripts_and_connects_only_to_main_chat_and_notify()
    {
        using var response = await World.Http.GetAsync("/");
        response.EnsureSuccessStatusCode();
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains($"connect-src 'self' ws://127.0.0.1:{World.ChatProxy.Port} http://127.0.0.1:{World.NotifyPort};", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", string.Join("", response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_quick_exit_comes_right_after_the_skip_link_and_three_escapes_also_leave()
    {
        var student = await OpenAsync(390, 844);
        await student.Context.RouteAsync("https://www.bbc.com/**", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = "<h1>Weather</h1>" }));
        await RegisterStudentAsync(student, "Jo");

        // The skip link opens the focus order; the way out comes right after it.
        await student.GetByRole(AriaRole.Link, new() { Name = "Skip to content" }).FocusAsync();
        await student.Keyboard.PressAsync("Tab");
        await Expect(student.GetByRole(AriaRole.Button, new() { Name = "Leave quickly" })).ToBeFocusedAsync();

        await student.Keyboard.PressAsync("Escape");
        await student.Keyboard.PressAsync("Escape");
        await student.Keyboard.PressAsync("Escape");
        // The URL, not the load event: the neutral page is replaced in, and Playwright may miss its load.
        await Expect(student).ToHaveURLAsync("https://www.bbc.com/weather");
        await Expect(student.GetByRole(AriaRole.Heading, new() { Name = "Weather" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_declined_request_offers_who_else_is_free_and_a_student_who_signs_out_and_in_again_finds_the_new_chat()
    {
        var counselor = await CounselorAtDeskAsync("Dr Oak", "loneliness");
        await World.CreateAvailableCounselorAsync("Mx Birch");
        var student = await OpenAsync(390, 844);
        var email = await RegisterStudentAsync(student, "Lee");
        await student.Locator("li.book").Filter(new() { HasText = "Dr Oak" }).GetByRole(AriaRole.Button, new() { Name = "Ask to talk to Dr Oak" }).ClickAsync();
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Waiting for Dr Oak to join");

        await counselor.Locator("li.request").GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();

        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Dr Oak can't take this chat right now");
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("What you wrote while waiting has been deleted");
        var alternatives = student.GetByRole(AriaRole.List, new() { Name = "Others you can talk to now" });
        await Expect(alternatives.Locator("li.book").Filter(new() { HasText = "Mx Birch" })).ToBeVisibleAsync();
        await Expect(alternatives.Locator("li.book").Filter(new() { HasText = "Dr Oak" })).ToHaveCountAsync(0);
        await ScreenshotAsync(student, "11-student-declined-alternatives");
        await alternatives.GetByRole(AriaRole.Button, new() { Name = "Ask to talk to Mx Birch" }).ClickAsync();
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Waiting for Mx Birch to join");

        await student.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(student.GetByText("You have signed out.")).ToBeVisibleAsync();
        var signIn = student.GetByRole(AriaRole.Form, new() { Name = "Sign in" });
        await signIn.GetByLabel("Email").FillAsync(email);
        await signIn.GetByLabel("Password").FillAsync(WebWorld.Password);
        await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var open = student.GetByRole(AriaRole.Button, new() { Name = "Your chat with Mx Birch" });
        await Expect(open).ToBeVisibleAsync();
        await open.ClickAsync();
        await Expect(student.GetByTestId("request-status")).ToContainTextAsync("Waiting for Mx Birch to join");
        Assert.True(PageErrors.Count == 0, string.Join('\n', PageErrors));
    }
}
