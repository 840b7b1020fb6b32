using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;

namespace DaprChat.Main.Infrastructure;

/// <summary>What every endpoint of main's API shares: strict request bodies, problem codes, the OpenAPI document.</summary>
public static partial class ApiConventions
{
    public static WebApplicationBuilder AddApiConventions(this WebApplicationBuilder builder)
    {
        // A body that leaves out a required field, or sends null for one, is a 400 naming the field, never a 404 later.
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        builder.Services.AddProblemCodes();
        builder.AddMainOpenApi();
        return builder;
    }

    /// <summary>The JSON reader's complaint (it names the field and its path) with our own type names taken out.</summary>
    public static string DescribeBadJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return TypeName().Replace(exception.Message, "the request");
    }

    [GeneratedRegex(@"type '[^']*'")]
    private static partial Regex TypeName();
}
