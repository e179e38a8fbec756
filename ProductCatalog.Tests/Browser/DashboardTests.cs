using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ProductCatalog.Tests.Browser;

/// <summary>The Aspire dashboard of the running app, as a person sees it in Chromium.</summary>
public sealed partial class DashboardTests(CatalogAppFixture fixture)
{
    [Fact]
    public async Task Resources_page_lists_postgres_migrations_finished_and_api_healthy()
    {
        var ct = TestContext.Current.CancellationToken;
        var loginUrl = await fixture.GetDashboardLoginUrlAsync(ct);
        var token = System.Web.HttpUtility.ParseQueryString(loginUrl.Query)["t"];
        Assert.False(string.IsNullOrEmpty(token), "The test dashboard is protected by a browser token.");
        var dashboard = new Uri(loginUrl.GetLeftPart(UriPartial.Authority));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.NewPageAsync();

        await LogInAsync(page, dashboard, token, ct);

        await page.GotoAsync(dashboard.ToString());
        try
        {
            // Each row's first cell is labelled "<type>: <name>", its second holds the state.
            await Expect(StateOf(page, CatalogResourceNames.Postgres)).ToHaveAttributeAsync("title", "Running");
            await Expect(StateOf(page, CatalogResourceNames.CatalogDatabase)).ToHaveAttributeAsync("title", "Running");
            await Expect(StateOf(page, CatalogResourceNames.Migrations)).ToContainTextAsync("Finished");
            // One row per API replica (api-<suffix>). "Running" alone means running and healthy;
            // otherwise the cell says "(Unhealthy)" or similar.
            var replicas = await fixture.GetApiReplicasAsync(ct);
            Assert.Equal(CatalogAppFixture.ApiReplicas, replicas.Count);
            foreach (var (name, _) in replicas)
            {
                await Expect(StateOf(page, name)).ToHaveAttributeAsync("title", "Running");
                await Expect(StateOf(page, name)).ToContainTextAsync("Running");

                // The API's links: its reference UI and OpenAPI document, one click from the resources page.
                var apiRow = Row(page, name);
                await Expect(apiRow.GetByRole(AriaRole.Link, new() { Name = "API reference (Scalar)" }))
                    .ToHaveAttributeAsync("href", ScalarLink());
                await Expect(apiRow.GetByRole(AriaRole.Link, new() { Name = "OpenAPI document" }))
                    .ToHaveAttributeAsync("href", OpenApiLink());
            }
        }
        finally
        {
            await HeadlessChromium.SaveHtmlAsync(page, "dashboard-resources.html");
            var screenshot = await HeadlessChromium.SaveScreenshotAsync(page, "dashboard-resources.png");
            HeadlessChromium.UpdateCommittedScreenshot(screenshot, "dashboard.png");
        }
    }

    /// <summary>
    /// Logs in as a person would: the login page, the token typed into its field, "Log in". The
    /// page is pre-rendered, and input before Blazor's circuit is connected goes nowhere, so a
    /// login that did not take is tried again (bounded).
    /// </summary>
    private static async Task LogInAsync(IPage page, Uri dashboard, string token, CancellationToken ct)
    {
        await page.GotoAsync(new Uri(dashboard, "/login").ToString());
        for (var attempt = 1; ; attempt++)
        {
            // A slow login from the previous attempt may have completed in the meantime.
            if (!OnLoginPage(page))
            {
                return;
            }

            try
            {
                await page.Locator("input[type=password]").FillAsync(token, new() { Timeout = 20_000 });
                await page.Locator("fluent-button[type=submit]", new() { HasText = "Log in" }).ClickAsync(new() { Timeout = 20_000 });
                await page.WaitForURLAsync(
                    url => !url.Contains("/login", StringComparison.Ordinal),
                    new() { Timeout = 15_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 5 && !ct.IsCancellationRequested)
            {
                if (!OnLoginPage(page))
                {
                    return;
                }

                await page.ReloadAsync();
            }
        }
    }

    private static bool OnLoginPage(IPage page) => page.Url.Contains("/login", StringComparison.Ordinal);

    private static ILocator Row(IPage page, string resource) =>
        page.Locator("tr.fluent-data-grid-row").Filter(new()
        {
            Has = page.Locator($"td[col-index='1'][aria-label$=': {resource}']"),
        });

    private static ILocator StateOf(IPage page, string resource) => Row(page, resource).Locator("td[col-index='2']");

    [GeneratedRegex(@"^http://[^/]+/scalar/v1$")]
    private static partial Regex ScalarLink();

    [GeneratedRegex(@"^http://[^/]+/openapi/v1\.json$")]
    private static partial Regex OpenApiLink();
}
