using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprChat.Main.Infrastructure;

/// <summary>A refusal a client can act on: an HTTP status, a stable machine-readable code and a clear title.</summary>
public sealed record Problem(int Status, string Code, string Title, string? Detail = null, TimeSpan? RetryAfter = null)
{
    public ProblemHttpResult ToResult() => TypedResults.Problem(Detail, statusCode: Status, title: Title, type: TypeFor(Status),
        extensions: new Dictionary<string, object?> { ["code"] = Code });

    /// <summary>
    /// ASP.NET Core fills <c>type</c> for most statuses; these it leaves empty, so every problem still names its RFC section.
    /// </summary>
    public static string? TypeFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => null,
    };

    /// <summary>As <see cref="ToResult()"/>, and a Retry-After header when the problem says when to come back.</summary>
    public ProblemHttpResult ToResult(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ToResult();
    }

    public static Problem NotFound(string what) => new(StatusCodes.Status404NotFound, $"{what}_not_found", $"No such {what.Replace('_', ' ')}");

    public static readonly Problem Invalid = new(StatusCodes.Status400BadRequest, "invalid_request", "The request is not valid");

    public static Problem Validation(string detail) => Invalid with { Detail = detail };
}

/// <summary>Either a value or a <see cref="Problem"/>; services return it so endpoints stay a line or two.</summary>
public readonly record struct Outcome<T>(T? Value, Problem? Problem)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);
}

public static class ProblemDefaults
{
    /// <summary>Every error answer carries a stable <c>code</c>, including the framework's own 401/403/404/429.</summary>
    public static IServiceCollection AddProblemCodes(this IServiceCollection services) =>
        services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = context =>
        {
            var details = context.ProblemDetails;
            if (details.Extensions.ContainsKey("code"))
            {
                return;
            }

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
            details.Title ??= "Request failed";
            if (context.Exception is BadHttpRequestException { InnerException: System.Text.Json.JsonException json })
            {
                details.Detail ??= ApiConventions.DescribeBadJson(json);
            }

            details.Type ??= Problem.TypeFor(details.Status ?? 0);
        });
}
