namespace DaprChat.Dapr;

public sealed partial class DaprClient
{
    /// <summary>
    /// A request for <c>/v1.0/invoke/{appId}/method/{methodName}</c>. Path segments of <paramref name="methodName"/> are
    /// escaped; anything after '?' is passed through as the query string, unchanged.
    /// </summary>
    public HttpRequestMessage CreateInvokeMethodRequest(HttpMethod httpMethod, string appId, string methodName)
    {
        ArgumentNullException.ThrowIfNull(httpMethod);
        ArgumentException.ThrowIfNullOrEmpty(appId);
        ArgumentNullException.ThrowIfNull(methodName);
        var queryAt = methodName.IndexOf('?', StringComparison.Ordinal);
        var path = (queryAt < 0 ? methodName : methodName[..queryAt]).TrimStart('/');
        var query = queryAt < 0 ? "" : methodName[queryAt..];
        var uri = new Uri($"{_baseAddress}/v1.0/invoke/{DaprUrl.Segment(appId)}/method/{DaprUrl.Path(path)}{query}", UriKind.Absolute);
        var request = new HttpRequestMessage(httpMethod, uri);
        AddApiToken(request);
        return request;
    }

    /// <summary>As <see cref="CreateInvokeMethodRequest(HttpMethod, string, string)"/> with a JSON body.</summary>
    public HttpRequestMessage CreateInvokeMethodRequest<TRequest>(HttpMethod httpMethod, string appId, string methodName, TRequest data)
    {
        var request = CreateInvokeMethodRequest(httpMethod, appId, methodName);
        request.Content = JsonContent(data);
        return request;
    }

    /// <summary>Sends an invocation request and returns the target's reply as it is, whatever its status.</summary>
    public Task<HttpResponseMessage> InvokeMethodWithResponseAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>Sends an invocation request; a non-2xx reply (the target's own, or daprd's ERR_DIRECT_INVOKE) throws.</summary>
    public async Task InvokeMethodAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an invocation request and reads the JSON reply; an empty or non-2xx reply throws.</summary>
    public async Task<TResponse> InvokeMethodAsync<TResponse>(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadRequiredAsync<TResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Invokes <paramref name="methodName"/> on <paramref name="appId"/> with a JSON body and reads the JSON reply.</summary>
    public async Task<TResponse> InvokeMethodAsync<TRequest, TResponse>(HttpMethod httpMethod, string appId, string methodName,
        TRequest data, CancellationToken cancellationToken = default)
    {
        using var request = CreateInvokeMethodRequest(httpMethod, appId, methodName, data);
        return await InvokeMethodAsync<TResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Invokes <paramref name="methodName"/> without a body and reads the JSON reply.</summary>
    public async Task<TResponse> InvokeMethodAsync<TResponse>(HttpMethod httpMethod, string appId, string methodName,
        CancellationToken cancellationToken = default)
    {
        using var request = CreateInvokeMethodRequest(httpMethod, appId, methodName);
        return await InvokeMethodAsync<TResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs a JSON body to <paramref name="methodName"/> and ignores the reply body.</summary>
    public async Task InvokeMethodAsync<TRequest>(string appId, string methodName, TRequest data, CancellationToken cancellationToken = default)
    {
        using var request = CreateInvokeMethodRequest(HttpMethod.Post, appId, methodName, data);
        await InvokeMethodAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
