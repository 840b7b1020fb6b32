using Dapr;
using Dapr.Client;
using DaprChat.Contracts;
using Google.Apis.Auth.OAuth2;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DaprChat.Summarize.Generation;

/// <summary>The header that authorises a Gemini call.</summary>
public interface IGeminiAuth
{
    Task<(string Header, string Value)> GetHeaderAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Vertex AI: an OAuth access token of the service account in the <c>secrets</c> store (Google.Apis.Auth exchanges a
/// signed JWT at the account's <c>token_uri</c> and caches the token until shortly before it expires). Gemini API: the
/// key, as <c>x-goog-api-key</c>. The secret is read once and kept in memory.
/// </summary>
public sealed class GeminiAuth(DaprClient dapr, IOptions<GeminiOptions> options, IHttpMessageHandlerFactory handlers) : IGeminiAuth, IDisposable
{
    public const string TokenClient = "google-oauth";
    private const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly SemaphoreSlim gate = new(1, 1);
    private ITokenAccess? credential;
    private string? apiKey;

    public async Task<(string Header, string Value)> GetHeaderAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode == GeminiOptions.Api)
        {
            apiKey ??= await ReadSecretAsync(options.Value.ApiKeySecret, cancellationToken);
            return ("x-goog-api-key", apiKey);
        }

        if (credential is null)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                credential ??= FromServiceAccount(await ReadSecretAsync(options.Value.ServiceAccountSecret, cancellationToken), handlers);
            }
            finally
            {
                gate.Release();
            }
        }

        return ("Authorization", "Bearer " + await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken));
    }

    /// <summary>The cloud-platform token source of a service account JSON; its <c>token_uri</c> is where tokens come from.</summary>
    public static ITokenAccess FromServiceAccount(string json, IHttpMessageHandlerFactory handlers) =>
        CredentialFactory.FromJson<ServiceAccountCredential>(json)
            .ToGoogleCredential().CreateScoped(Scope).CreateWithHttpClientFactory(new FactoryAdapter(handlers)).UnderlyingCredential;

    public void Dispose() => gate.Dispose();

    private async Task<string> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var values = await dapr.GetSecretAsync(DaprNames.SecretStore, name, cancellationToken: cancellationToken);
            var value = values.TryGetValue(name, out var v) ? v : values.Count == 1 ? values.Values.Single() : null;
            return string.IsNullOrWhiteSpace(value) ? throw new InvalidOperationException($"Secret '{name}' is empty") : value;
        }
        catch (DaprException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.Internal or StatusCode.NotFound })
        {
            throw new InvalidOperationException($"Secret '{name}' is missing from the '{DaprNames.SecretStore}' store", ex);
        }
    }

    /// <summary>Google's token requests go through IHttpClientFactory's handler pipeline too.</summary>
    private sealed class FactoryAdapter(IHttpMessageHandlerFactory handlers) : Google.Apis.Http.HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args) => handlers.CreateHandler(TokenClient);
    }
}
