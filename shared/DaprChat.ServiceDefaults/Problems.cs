using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace DaprChat.ServiceDefaults;

/// <summary>A refusal a client can act on: an HTTP status, a stable machine-readable code and a clear title.</summary>
public sealed record Problem(int Status, string Code, string Title, string? Detail = null, TimeSpan? RetryAfter = null)
{
    public static readonly Problem Invalid = new(StatusCodes.Status400BadRequest, "invalid_request", "The request is not valid");

    public ProblemHttpResult ToResult() => TypedResults.Problem(Detail, statusCode: Status, title: Title, type: Problems.TypeFor(Status),
        extensions: new Dictionary<string, object?> { ["code"] = Code });

    /// <summary>As <see cref="ToResult()"/>, and a Retry-After header when the problem says when to come back.</summary>
    public ProblemHttpResult ToResult(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return ToResult();
    }

    public static Problem NotFound(string what) => new(StatusCodes.Status404NotFound, $"{what}_not_found", $"No such {what.Replace('_', ' ')}");

    public static Problem Validation(string detail) => Invalid with { Detail = detail };
}

/// <summary>Either a value or a <see cref="Problem"/>; services return it so endpoints stay a line or two.</summary>
public readonly record struct Outcome<T>(T? Value, Problem? Problem)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);
}

public static partial class Problems
{
    /// <summary>ASP.NET Core fills <c>type</c> for most statuses; these it leaves empty, so every problem still names its RFC section.</summary>
    public static string? TypeFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => null,
    };

    /// <summary>Every error answer carries a stable <c>code</c> and a <c>type</c>, including the framework's own 401/403/404/429.</summary>
    public static IServiceCollection AddProblemCodes(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var details = context.ProblemDetails;
            details.Title ??= "Request failed";
            details.Type ??= TypeFor(details.Status ?? 0);
            if (context.Exception is BadHttpRequestException { InnerException: JsonException json })
            {
                details.Detail ??= DescribeBadJson(json);
            }

            if (!details.Extensions.ContainsKey("code"))
            {
                details.Extensions["code"] = details.Status switch
                {
                    StatusCodes.Status400BadRequest => "invalid_request",
                    StatusCodes.Status401Unauthorized => "unauthorized",
                    StatusCodes.Status403Forbidden => "forbidden",
                    StatusCodes.Status404NotFound => "not_found",
                    StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                    StatusCodes.Status413PayloadTooLarge => "payload_too_large",
                    StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
                    StatusCodes.Status429TooManyRequests => "rate_limited",
                    _ => "server_error",
                };
            }
        });

    /// <summary>The JSON reader's complaint (it names the field and its path) with our own type names taken out.</summary>
    public static string DescribeBadJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return TypeName().Replace(exception.Message, "the request");
    }

    [GeneratedRegex(@"type '[^']*'")]
    private static partial Regex TypeName();
}
