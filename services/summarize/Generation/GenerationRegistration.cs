using DaprChat.Summarize.Summaries;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace DaprChat.Summarize.Generation;

public static class GenerationRegistration
{
    public const string GeminiClient = "gemini";

    /// <summary>The <see cref="IChatClient"/>: Gemini (Vertex AI or API key) when configured, otherwise the offline summariser.</summary>
    public static WebApplicationBuilder AddGeneration(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Summarize:Gemini");
        builder.Services.Configure<GeminiOptions>(section);
        var gemini = section.Get<GeminiOptions>() ?? new GeminiOptions();
        builder.Services.AddSingleton(sp => new Redactor(sp.GetRequiredService<IOptions<SummaryOptions>>().Value.RedactedNames));
        if (gemini.Mode is not (GeminiOptions.Vertex or GeminiOptions.Api))
        {
            builder.Services.AddSingleton<IChatClient, OfflineSummaryClient>();
            return builder;
        }

        builder.Services.AddSingleton<IGeminiAuth, GeminiAuth>();
        AddGeminiHttpClients(builder.Services, gemini);
        builder.Services.AddSingleton<IChatClient>(sp => new GeminiChatClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(GeminiClient), sp.GetRequiredService<IOptions<GeminiOptions>>(), sp.GetRequiredService<IGeminiAuth>()));
        return builder;
    }

    /// <summary>The token and generateContent HttpClients, each with Microsoft.Extensions.Http.Resilience.</summary>
    public static void AddGeminiHttpClients(IServiceCollection services, GeminiOptions gemini)
    {
        services.AddHttpClient(GeminiAuth.TokenClient).AddStandardResilienceHandler();
        // In-process retries stay short (a 429's Retry-After up to the cap); longer waits are the workflow's durable timers.
        services.AddHttpClient(GeminiClient).AddStandardResilienceHandler(o =>
        {
            o.Retry.MaxRetryAttempts = Math.Max(1, gemini.HttpRetries);
            o.Retry.MaxDelay = gemini.HttpRetryMaxDelay;
            o.Retry.ShouldRetryAfterHeader = true;
            o.AttemptTimeout.Timeout = gemini.AttemptTimeout;
            o.TotalRequestTimeout.Timeout = (gemini.AttemptTimeout + gemini.HttpRetryMaxDelay) * (gemini.HttpRetries + 1);
            o.CircuitBreaker.SamplingDuration = gemini.AttemptTimeout * 2;
        });
    }
}
