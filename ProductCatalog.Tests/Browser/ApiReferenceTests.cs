using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ProductCatalog.Tests.Browser;

/// <summary>The API's reference page (Scalar, Development only), used as a person would.</summary>
public sealed class ApiReferenceTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Reference_page_sends_a_request_to_the_api_and_shows_the_answer()
    {
        var api = fixture.App.GetEndpoint(CatalogResourceNames.Api, "http");
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(new Uri(api, "/scalar/v1").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ProductCatalog API" })).ToBeVisibleAsync();

        try
        {
            // "Test Request" on the first operation (GET /api/v1/products) opens Scalar's client ...
            await page.Locator("button.show-api-client-button").First.ClickAsync();

            // ... and "Send" sends it from the browser to the running API.
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Send get request to" }).First.ClickAsync(),
                r => r.Request.Method == "GET" && new Uri(r.Url).AbsolutePath.EndsWith("/api/v1/products", StringComparison.Ordinal));

            Assert.Equal(200, response.Status);
            Assert.StartsWith($"http://{api.Authority}/", response.Url, StringComparison.Ordinal);
            Assert.Contains("\"items\"", await response.TextAsync(), StringComparison.Ordinal);

            // The page shows the answer: its status and the seeded sample data.
            await Expect(page.GetByText("200 OK").First).ToBeVisibleAsync();
            await Expect(page.GetByText("SAMPLE-", new() { Exact = false }).First).ToBeVisibleAsync();
        }
        finally
        {
            await HeadlessChromium.SaveScreenshotAsync(page, "api-reference.png");
        }
    }
}
