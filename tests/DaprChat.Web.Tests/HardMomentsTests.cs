using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DaprChat.Web.Tests;

/// <summary>The hard moments (issue 18): help first, a calm wait, the composer in reach, a reload, the end and what next.</summary>
[Collection(WebCollection.Name)]
public sealed class HardMomentsTests(WebWorld world) : WebTest(world)
{
    /// <summary>A phone with the software keyboard open: about half of the 844 pixels stay visible.</summary>
    private const int KeyboardOpenHeight = 420;

    [Fact]
    public async Task The_sign_in_page_shows_the_help_line_first_and_a_first_time_visitor_the_registration()
    {
        var visitor = await OpenPhoneAsync();

        var help = visitor.GetByRole(AriaRole.Complementary, new() { Name = "Urgent help" });
        var call = help.GetByRole(AriaRole.Link, new() { Name = $"Call {WebWorld.EmergencyNumber}" });
        await Expect(call).ToHaveAttributeAsync("href", $"tel:{WebWorld.EmergencyNumber}");
        await Expect(help.GetByRole(AriaRole.Link, new() { Name = "Other helplines" })).ToHaveAttributeAsync("href", WebWorld.HelplinesUrl);
        var box = await help.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Y + box.Height <= 150, $"the help line ends at y={box.Y + box.Height}: it should sit right under the top bar");
        Assert.Equal(0, await visitor.EvaluateAsync<double>("() => window.scrollY"));

        // Most visitors are new: registration is what they see, and the way to sign in is one tap away.
        await Expect(visitor.GetByRole(AriaRole.Form, new() { Name = "Create your account" })).ToBeVisibleAsync();
        await Expect(visitor.GetByRole(AriaRole.Form, new() { Name = "Sign in" })).ToBeHiddenAsync();
        await Expect(visitor.GetByRole(AriaRole.Radio, new() { Name = "No, I'm new" })).ToBeCheckedAsync();
        await ScreenshotAsync(visitor, "02-sign-in");
        await visitor.GetByText("Yes, sign me in").ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Form, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(visitor.GetByRole(AriaRole.Form, new() { Name = "Create your account" })).ToBeHiddenAsync();
        await ScreenshotAsync(visitor, "02b-sign-in-returning");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task Waiting_is_calm_and_the_composer_stays_in_reach_with_and_without_the_keyboard_before_and_after_the_counsellor_joins()
    {
        var counselor = await CounselorAtDeskAsync("Dr Hazel", "worry");
        var student = await OpenPhoneAsync();
        await RegisterStudentAsync(student, "Noor");

        // The header is one row at 390 px; before asking, the student reads what asking means, in main's real timeout.
        var exit = await student.GetByRole(AriaRole.Button, new() { Name = "Leave quickly" }).BoundingBoxAsync();
        var signOut = await student.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).BoundingBoxAsync();
        Assert.True(Math.Abs(exit!.Y - signOut!.Y) < 2, $"Sign out is on another row (y={signOut.Y}) than Leave quickly (y={exit.Y})");
        await Expect(student.GetByTestId("what-next")).ToHaveTextAsync(
            $"When you ask someone, they are asked to join within about {WebWorld.RequestTimeoutMinutes} minutes. If they can't, we'll show you who else is free.");
        await ScreenshotAsync(student, "03-student-library");
        await AskAsync(student, "Dr Hazel");

        // Waiting: nobody's connection has failed, the time is rounded, and what is on offer is cancelling the request.
        await Expect(student.GetByTestId("presence")).ToHaveTextAsync("Dr Hazel hasn't joined yet");
        await Expect(student.Locator(".countdown")).ToHaveTextAsync(new Regex(
            $"^If Dr Hazel can't join within about ({WebWorld.RequestTimeoutMinutes}|{WebWorld.RequestTimeoutMinutes - 1}) minutes, we'll suggest someone else who is free\\.$"));
        await Expect(student.GetByRole(AriaRole.Button, new() { Name = "Cancel request" })).ToBeVisibleAsync();
        await Expect(student.GetByRole(AriaRole.Button, new() { Name = "End chat" })).ToHaveCountAsync(0);
        await AssertComposerInViewAsync(student, PhoneHeight);
        await SendAsync(student, "Hello? I don't really know how this works.");
        await Expect(MyMessage(student, "I don't really know").GetByTestId("mark")).ToHaveTextAsync("Sent");
        await ScreenshotAsync(student, "04-student-waiting");

        // The keyboard opens the iOS way (only the visual viewport shrinks), then the Android way (the page shrinks).
        await OpenKeyboardOverVisualViewportAsync(student, KeyboardOpenHeight);
        await AssertComposerInViewAsync(student, KeyboardOpenHeight);
        await ScreenshotAsync(student, "04b-student-waiting-keyboard-open");
        await CloseKeyboardOverVisualViewportAsync(student);
        await student.SetViewportSizeAsync(PhoneWidth, KeyboardOpenHeight);
        await AssertComposerInViewAsync(student, KeyboardOpenHeight);
        await student.SetViewportSizeAsync(PhoneWidth, PhoneHeight);
        await AssertComposerInViewAsync(student, PhoneHeight);

        // They join: the waiting banner steps aside (its live region has said so), the chat has the screen.
        await JoinFirstRequestAsync(counselor);
        await Expect(student.GetByTestId("presence")).ToHaveTextAsync("Online");
        await Expect(student.GetByTestId("request-status")).ToHaveTextAsync("Dr Hazel has joined. You are talking with them now.");
        await Expect(student.GetByTestId("request-status")).ToHaveClassAsync(new Regex("collapsed"));
        await Expect(student.Locator(".countdown")).ToBeHiddenAsync();
        await Expect(student.GetByRole(AriaRole.Button, new() { Name = "End chat" })).ToBeVisibleAsync();
        await SendAsync(counselor, "Hi Noor's alias, I'm here. Take your time.");
        await Expect(student.Locator("section.chat li.theirs")).ToContainTextAsync("I'm here");
        for (var i = 1; i <= 6; i++)
        {
            await SendAsync(student, $"Line {i} of a long worry that needs space on a small screen.");
        }

        await Expect(MyMessage(student, "Line 6 of").GetByTestId("mark")).ToHaveTextAsync("Read");
        await AssertComposerInViewAsync(student, PhoneHeight);
        await Expect(MyMessage(student, "Line 6 of")).ToBeInViewportAsync();
        await ScreenshotAsync(student, "07-student-chat");
        await OpenKeyboardOverVisualViewportAsync(student, KeyboardOpenHeight);
        await AssertComposerInViewAsync(student, KeyboardOpenHeight);
        // The newest message stays in sight above the keyboard.
        await Expect(MyMessage(student, "Line 6 of")).ToBeInViewportAsync();
        await ScreenshotAsync(student, "07b-student-chat-keyboard-open");
        await CloseKeyboardOverVisualViewportAsync(student);
        await student.SetViewportSizeAsync(PhoneWidth, KeyboardOpenHeight);
        await AssertComposerInViewAsync(student, KeyboardOpenHeight);

        // The counsellor's desk on a 900 px screen: the composer is in view without scrolling, the profile still open.
        await AssertComposerInViewAsync(counselor, 900);
        await ScreenshotAsync(counselor, "05-counsellor-chat");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task An_ended_chat_says_once_who_ended_it_and_offers_someone_else_and_the_help_line()
    {
        var counselor = await CounselorAtDeskAsync("Dr Linden", "family");
        var student = await OpenPhoneAsync();
        await RegisterStudentAsync(student, "Ari");
        await AskAsync(student, "Dr Linden");
        await JoinFirstRequestAsync(counselor);
        await Expect(student.GetByTestId("presence")).ToHaveTextAsync("Online");
        await SendAsync(student, "Thank you, that helped.");
        await Expect(MyMessage(student, "that helped").GetByTestId("mark")).ToHaveTextAsync("Read");

        await student.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await student.GetByRole(AriaRole.Button, new() { Name = "Yes, end the chat" }).ClickAsync();

        await Expect(student.GetByTestId("request-status")).ToHaveTextAsync("You ended the chat.");
        var next = student.GetByTestId("next-step");
        await Expect(next.GetByRole(AriaRole.Button, new() { Name = "Talk to someone else" })).ToBeVisibleAsync();
        await Expect(next.GetByRole(AriaRole.Link, new() { Name = $"call {WebWorld.EmergencyNumber}" })).ToHaveAttributeAsync("href", $"tel:{WebWorld.EmergencyNumber}");
        await Expect(next.GetByRole(AriaRole.Link, new() { Name = "find a helpline" })).ToHaveAttributeAsync("href", WebWorld.HelplinesUrl);
        // What was said stays readable; nothing says "talking with them now"; "ended" is said once.
        await Expect(MyMessage(student, "that helped")).ToBeVisibleAsync();
        await Expect(student.GetByLabel("Your message")).ToBeHiddenAsync();
        var screen = await student.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("talking with them now", screen, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(screen, "ended", RegexOptions.IgnoreCase));
        await ScreenshotAsync(student, "08-student-ended");

        // The counsellor's tab says why, and so does its status line.
        var tab = counselor.GetByRole(AriaRole.Tab);
        await Expect(tab.GetByTestId("tab-ended")).ToHaveTextAsync("they ended it");
        await Expect(tab).ToHaveAttributeAsync("aria-label", new Regex(", they ended it$"));
        await Expect(counselor.GetByTestId("connection")).ToHaveTextAsync(new Regex("^[A-Z][a-z]+ [A-Z][a-z]+ ended the chat\\.$"));
        await ScreenshotAsync(counselor, "09-counsellor-ended");

        // The next step leads to who is free now.
        await next.GetByRole(AriaRole.Button, new() { Name = "Talk to someone else" }).ClickAsync();
        await Expect(student.GetByRole(AriaRole.Heading, new() { Name = "Who would you like to talk to?" })).ToBeVisibleAsync();
        await Expect(student.GetByLabel("Only who is free now")).ToBeCheckedAsync();
        AssertNoPageErrors();
    }

    [Fact]
    public async Task After_a_reload_the_student_is_back_in_the_open_chat_and_sees_that_the_counsellor_ended_it()
    {
        var counselor = await CounselorAtDeskAsync("Dr Alder", "sleep");
        var student = await OpenAsync(1280, 800);
        await RegisterStudentAsync(student, "Rue");
        await AskAsync(student, "Dr Alder");
        await JoinFirstRequestAsync(counselor);
        await SendAsync(student, "I keep waking up at 3am.");
        await SendAsync(counselor, "That sounds exhausting.");
        await Expect(student.Locator("section.chat li.theirs")).ToContainTextAsync("That sounds exhausting.");

        await student.ReloadAsync();

        await Expect(student.GetByRole(AriaRole.Heading, new() { Name = "Chat with Dr Alder" })).ToBeVisibleAsync();
        await Expect(Messages(student)).ToHaveCountAsync(2);
        Assert.Equal(["I keep waking up at 3am.", "That sounds exhausting."], await TranscriptAsync(student));
        await Expect(MyMessage(student, "3am").GetByTestId("mark")).ToHaveTextAsync("Read");
        await Expect(student.GetByTestId("presence")).ToHaveTextAsync("Online");
        await AssertComposerInViewAsync(student, 800);
        var stored = await student.EvaluateAsync<string>("() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })");
        Assert.DoesNotContain("3am", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("ticket", stored, StringComparison.OrdinalIgnoreCase);
        await ScreenshotAsync(student, "12-student-after-reload");

        await counselor.GetByRole(AriaRole.Button, new() { Name = "End chat" }).ClickAsync();
        await counselor.GetByRole(AriaRole.Button, new() { Name = "Yes, end the chat" }).ClickAsync();

        await Expect(student.GetByTestId("request-status")).ToHaveTextAsync("Dr Alder ended the chat.");
        await Expect(student.GetByTestId("next-step").GetByRole(AriaRole.Button, new() { Name = "Talk to someone else" })).ToBeVisibleAsync();
        Assert.Equal(1, Regex.Count(await student.Locator("main").InnerTextAsync(), "ended", RegexOptions.IgnoreCase));
        await Expect(counselor.GetByRole(AriaRole.Tab).GetByTestId("tab-ended")).ToHaveTextAsync("you ended it");
        await Expect(counselor.GetByTestId("connection")).ToHaveTextAsync("You ended the chat.");
        await ScreenshotAsync(student, "13-student-ended-by-counsellor");
        AssertNoPageErrors();
    }

    [Fact]
    public async Task The_counsellors_tab_title_counts_waiting_requests_and_a_student_can_cancel_before_anyone_joins()
    {
        var counselor = await CounselorAtDeskAsync("Dr Rowan-Ash", "exams");
        await Expect(counselor).ToHaveTitleAsync("DaprChat");
        var first = await OpenPhoneAsync();
        var second = await OpenPhoneAsync();
        await RegisterStudentAsync(first, "Max");
        await RegisterStudentAsync(second, "Eli");

        await AskAsync(first, "Dr Rowan-Ash");
        await Expect(counselor).ToHaveTitleAsync("(1 waiting) DaprChat");
        await AskAsync(second, "Dr Rowan-Ash");
        await Expect(counselor).ToHaveTitleAsync("(2 waiting) DaprChat");
        await ScreenshotAsync(counselor, "14-counsellor-two-waiting");

        // Cancelling is withdrawing the request: it needs a second tap, and the counsellor's list and count follow.
        await first.GetByRole(AriaRole.Button, new() { Name = "Cancel request" }).ClickAsync();
        await first.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel it" }).ClickAsync();
        await Expect(first.GetByTestId("request-status")).ToHaveTextAsync("You cancelled your request.");
        await Expect(first.GetByTestId("next-step").GetByRole(AriaRole.Button, new() { Name = "Talk to someone else" })).ToBeVisibleAsync();
        await ScreenshotAsync(first, "15-student-cancelled");
        await Expect(counselor).ToHaveTitleAsync("(1 waiting) DaprChat");
        await Expect(counselor.Locator("li.request")).ToHaveCountAsync(1);

        await JoinFirstRequestAsync(counselor);
        await Expect(counselor).ToHaveTitleAsync("DaprChat");
        await Expect(second.GetByTestId("presence")).ToHaveTextAsync("Online");
        await AssertComposerInViewAsync(counselor, 900);
        AssertNoPageErrors();
    }
}
