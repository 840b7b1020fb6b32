using System.Text.Json;
using Google.Apis.Auth.OAuth2;

namespace DaprChat.Notify.Push;

/// <summary>An FCM service account (from the <c>secrets</c> store) as a scoped OAuth2 credential; its token_uri is honoured.</summary>
public sealed class FcmCredential
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly ServiceAccountCredential _credential;

    private FcmCredential(ServiceAccountCredential credential, string projectId)
    {
        _credential = credential;
        ProjectId = projectId;
    }

    public string ProjectId { get; }

    public static FcmCredential FromJson(string json)
    {
        string projectId;
        using (var doc = JsonDocument.Parse(json))
        {
            projectId = doc.RootElement.TryGetProperty("project_id", out var p) && p.GetString() is { Length: > 0 } id
                ? id
                : throw new InvalidOperationException("The FCM service account has no project_id");
        }

        var account = CredentialFactory.FromJson<ServiceAccountCredential>(json);
        var scoped = (ServiceAccountCredential)GoogleCredential.FromServiceAccountCredential(account).CreateScoped(Scope).UnderlyingCredential;
        return new FcmCredential(scoped, projectId);
    }

    /// <summary>A cached access token, refreshed by the library shortly before it expires.</summary>
    public Task<string> AccessTokenAsync(CancellationToken cancellationToken) => _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);

    /// <summary>After a 401: fetch a new token now, whatever the cache thinks of the old one.</summary>
    public async Task<string> RefreshAsync(CancellationToken cancellationToken)
    {
        await _credential.RequestAccessTokenAsync(cancellationToken);
        return _credential.Token.AccessToken;
    }
}
