using Xunit;
using DaprChat.Summarize.Generation;

namespace DaprChat.Summarize.Tests;

public sealed class RedactorTests
{
    private readonly Redactor redactor = new(["Alexandra Miller", "Sam"]);

    [Fact]
    public void An_email_address_is_replaced_and_counted()
    {
        var result = redactor.Redact("write to alex.miller+1@example.org please");
        Assert.Equal("write to [email] please", result.Text);
        Assert.Equal(1, result.Count);
    }

    [Theory]
    [InlineData("call me on +44 7700 900123 tonight")]
    [InlineData("call me on (030) 123-45-678 tonight")]
    public void A_phone_number_is_replaced(string text)
    {
        var result = redactor.Redact(text);
        Assert.Equal("call me on [phone] tonight", result.Text);
        Assert.Equal(1, result.Count);
    }

    [Fact]
    public void A_url_is_replaced_before_its_digits_could_look_like_a_phone_number()
    {
        var result = redactor.Redact("see https://example.com/u/1234567890 and www.my-blog.net");
        Assert.Equal("see [url] and [url]", result.Text);
        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void A_social_handle_is_replaced()
    {
        Assert.Equal("dm me at [handle]", redactor.Redact("dm me at @sunny_day99").Text);
    }

    [Fact]
    public void A_listed_name_is_replaced_in_any_case_but_not_inside_another_word()
    {
        var result = redactor.Redact("alexandra miller told SAM about samples");
        Assert.Equal("[name] told [name] about samples", result.Text);
        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void Text_without_identifiers_is_unchanged_with_a_count_of_zero()
    {
        var result = redactor.Redact("I feel anxious about exams.");
        Assert.Equal("I feel anxious about exams.", result.Text);
        Assert.Equal(0, result.Count);
    }
}
