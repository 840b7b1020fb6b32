using DaprChat.Main.WebClient;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace DaprChat.Main.Tests.Unit;

public sealed class HelpOptionsTests
{
    private static HelpOptions Bind(string? number, string? url)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        foreach (var (key, value) in new[] { ("Help:EmergencyNumber", number), ("Help:HelplinesUrl", url) })
        {
            if (value is not null)
            {
                builder.Configuration[key] = value;
            }
        }

        builder.AddWebClient();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<HelpOptions>>().Value;
    }

    [Theory]
    [InlineData("112")]
    [InlineData("+44 116 123")]
    [InlineData("")]
    public void A_dialable_number_or_none_is_accepted(string number) => Assert.Equal(number, Bind(number, null).EmergencyNumber);

    [Fact]
    public void Without_settings_there_is_no_number_and_the_international_helpline_directory()
    {
        var help = Bind(null, null);
        Assert.Null(help.EmergencyNumber);
        Assert.Equal("https://findahelpline.com/", help.HelplinesUrl);
    }

    [Theory]
    [InlineData("call 911")]
    [InlineData("112;drop")]
    [InlineData("1 2 3 4 5 6 7 8 9 0 1 2")]
    public void A_number_a_phone_cannot_dial_stops_main_with_a_clear_message(string number)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(number, null));
        Assert.Contains("Help:EmergencyNumber must be digits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://helplines.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/helplines")]
    public void A_helplines_link_that_is_not_https_stops_main_with_a_clear_message(string url)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind("112", url));
        Assert.Contains("Help:HelplinesUrl must be an absolute https URL", error.Message, StringComparison.Ordinal);
    }
}
