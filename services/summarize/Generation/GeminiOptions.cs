namespace DaprChat.Summarize.Generation;

/// <summary>Section <c>Summarize:Gemini</c>. With no <see cref="Mode"/> the offline summariser answers.</summary>
public sealed class GeminiOptions
{
    public const string Offline = "offline";
    public const string Vertex = "vertex";
    public const string Api = "api";

    /// <summary><c>offline</c> (default), <c>vertex</c> (service account) or <c>api</c> (Gemini API key).</summary>
    public string Mode { get; set; } = Offline;

    public string Project { get; set; } = "";

    /// <summary>Vertex AI location, e.g. <c>europe-west4</c>, or <c>global</c>.</summary>
    public string Location { get; set; } = "global";

    public string Model { get; set; } = "gemini-2.5-flash";

    /// <summary>Overrides Google's base URL (tests point it at a fake).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Secret (in the <c>secrets</c> store) holding the service account JSON (vertex) or the API key (api).</summary>
    public string ServiceAccountSecret { get; set; } = "summarize-gemini-service-account";

    public string ApiKeySecret { get; set; } = "summarize-gemini-api-key";

    /// <summary>One HTTP attempt; Gemini often takes 30 s or more.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>In-process retries of one call (429 honouring Retry-After, 5xx, timeouts) before the workflow's own retry.</summary>
    public int HttpRetries { get; set; } = 2;

    public TimeSpan HttpRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    public Uri BaseUri => Endpoint ?? new Uri(Mode == Api ? "https://generativelanguage.googleapis.com/"
        : Location == "global" ? "https://aiplatform.googleapis.com/" : $"https://{Location}-aiplatform.googleapis.com/");
}
