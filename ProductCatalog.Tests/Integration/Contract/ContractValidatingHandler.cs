namespace ProductCatalog.Tests.Integration.Contract;

/// <summary>
/// Sits in every integration test's HttpClient and checks each response against the live
/// OpenAPI document; a response the document does not promise throws, failing the test that
/// made the call. The body is buffered first, so the test can still read it.
/// </summary>
public sealed class ContractValidatingHandler(Func<CancellationToken, Task<OpenApiContract>> contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (!path.StartsWith(OpenApiContract.DescribedPrefix, StringComparison.Ordinal))
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var violations = (await contract(cancellationToken)).Check(request.Method, path, response, body);
        if (violations.Count > 0)
        {
            response.Dispose();
            throw new ContractViolationException(
                $"The response to {request.Method} {request.RequestUri} breaks the OpenAPI document:\n  " + string.Join("\n  ", violations));
        }

        return response;
    }
}

public sealed class ContractViolationException(string message) : Exception(message);
