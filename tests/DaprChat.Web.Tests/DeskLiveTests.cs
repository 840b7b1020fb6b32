using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace DaprChat.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class DeskLiveTests(WebWorld world) : WebTest(world)
{
    [Fact]
    public async Task The_desk_shows_a_new_request_without_reloading_and_without_polling()
    {
        var counselor = await CounselorAtDeskAsync("Dr Juniper", "anxiety");
        var polls = 0;
        var streams = 0;
        counselor.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/notifications/stream", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref streams);
            }

            if (request.Url.EndsWith("/api/dashboard/sessions", StringComparison.Ordinal) && request.Method == "GET")
            {
                Interlocked.Increment(ref polls);
            }
        };
        await Expect(counselor.GetByTestId("live-state")).ToHaveAttributeAsync("data-state", "up");
        await Expect(counselor.Locator("li.request")).ToHaveCountAsync(0);
        var navigations = 0;
        counselor.FrameNavigated += (_, frame) => { if (frame == counselor.MainFrame) navigations++; };
        var before = Volatile.Read(ref polls);

        var student = await OpenAsync(390, 844);
        await RegisterStudentAsync(student, "Sam");
        await AskAsync(student, "Dr Juniper");

        await Expect(counselor.Locator("li.request")).ToHaveCountAsync(1);
        await Expect(counselor.GetByTestId("toast")).ToContainTextAsync("is waiting to talk");
        await ScreenshotAsync(counselor, "12-counsellor-live-request");
        // The list was read once, because the stream said so; a 3 s poll would also have read it on its own schedule.
        Assert.Equal(1, Volatile.Read(ref polls) - before);
        Assert.Equal(0, navigations);
        Assert.True(Volatile.Read(ref streams) <= 1, $"the desk reconnected its stream {streams} times");
        AssertNoPageErrors();
    }
}
