using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace ProductCatalog.Client;

/// <summary>
/// Makes a <see cref="CatalogClient"/> over an <see cref="HttpClient"/> the caller owns, so the
/// caller's HttpClientFactory pipeline (service discovery, resilience, a token handler) carries
/// every request and the client's <see cref="HttpClient.BaseAddress"/> is the API's address.
/// </summary>
public static class CatalogClientFactory
{
    public static CatalogClient Create(HttpClient httpClient, IAuthenticationProvider? authentication = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("Set the HttpClient's BaseAddress to the API's address (for example https+http://api).", nameof(httpClient));
        }

        return new CatalogClient(new HttpClientRequestAdapter(authentication ?? new AnonymousAuthenticationProvider(), httpClient: httpClient));
    }
}
