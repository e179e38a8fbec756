using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
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
        var (chromium, page, dashboard) = await OpenDashboardAsync(ct);
        await using var _ = chromium;

        await page.GotoAsync(dashboard.ToString());
        string[]? shown = null;
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

            // The page shows every resource the app model declares (replicas as their resource), no more.
            shown = await ResourceNamesShownAsync(page, [.. replicas.Select(r => r.Name)]);
            Assert.Equal(DeclaredResources(), shown);
        }
        finally
        {
            await HeadlessChromium.SaveHtmlAsync(page, "dashboard-resources.html");
            var screenshot = await HeadlessChromium.SaveScreenshotAsync(page, "dashboard-resources.png");
            if (shown is not null)
            {
                CommittedPictures.Update(screenshot, ResourcesPicture, shown);
            }
        }
    }

    //#if (templateSource)
    [Fact]
    public void The_committed_pictures_show_the_resources_the_AppHost_declares()
    {
        Assert.Equal(DeclaredResources(), CommittedPictures.Shows(ResourcesPicture));
        Assert.All(CommittedPictures.Shows(TracePicture), resource => Assert.Contains(resource, DeclaredResources()));
    }

    //#endif
    [Fact]
    public async Task A_writes_trace_shows_the_request_its_sql_the_outbox_insert_and_the_publish()
    {
        var ct = TestContext.Current.CancellationToken;
        var (traceId, _) = await fixture.PostInTraceAsync("/api/v1/products", Product());
        // As exported (the receiver passes them on to the dashboard): the request, its SQL with the
        // outbox insert in the write's transaction and, once the relay ran, the publish.
        await fixture.Telemetry.WaitForAsync(
            t => t.Spans.Where(s => s.TraceId == traceId).ToList(), Complete, TimeSpan.FromSeconds(45), ct);
        // Spans come in export batches: one can still be on its way when the trace looks complete
        // (CI saw the dashboard show 7 rows for the 6 spans counted). Compared once no more arrive.
        var spans = await SettledAsync(traceId, ct);

        var (chromium, page, dashboard) = await OpenDashboardAsync(ct);
        await using var _ = chromium;
        await page.GotoAsync(new Uri(dashboard, $"/traces/detail/{traceId}").ToString());
        try
        {
            // One row a span; the dashboard names a client span by its system and destination, not its span name.
            var rows = page.Locator("tr.fluent-data-grid-row").Filter(new() { Has = page.Locator("td[col-index='1'][aria-label]") });
            await Expect(rows).ToHaveCountAsync(spans.Count);
            var server = spans.First(s => s.Kind == OtlpSpanKind.Server);
            await Expect(SpanRows(page, server.Name)).ToHaveCountAsync(1);
            //#if (events)
            // As many publish rows as publish spans were exported: the relay publishes at least once, and a
            // CI run saw an event sent twice in one write's trace (two spans, both shown).
            var publishes = spans.Where(s => s.Kind == OtlpSpanKind.Producer).ToList();
            await Expect(SpanRows(page, (string)publishes[0].Attributes["messaging.destination.name"]!)).ToHaveCountAsync(publishes.Count);
            //#endif

            // The outbox insert: the SQL row whose details show it (the details pane stays open for the picture).
            var sql = SpanRows(page, (string)spans.First(IsOutboxInsert).Attributes["db.system.name"]!);
            var outboxInsert = page.GetByText(OutboxInsert).First;
            for (var i = 0; i < await sql.CountAsync() && !await outboxInsert.IsVisibleAsync(); i++)
            {
                await sql.Nth(i).Locator("td[col-index='1']").ClickAsync();
                await page.WaitForTimeoutAsync(500);
            }

            await Expect(outboxInsert).ToBeVisibleAsync();
        }
        finally
        {
            await HeadlessChromium.SaveHtmlAsync(page, "dashboard-trace.html");
            var screenshot = await HeadlessChromium.SaveScreenshotAsync(page, "dashboard-trace.png");
            CommittedPictures.Update(screenshot, TracePicture, [.. spans.Select(s => s.Service).Distinct().Order(StringComparer.Ordinal)]);
        }
    }

    private const string ResourcesPicture = "dashboard.png";

    private const string TracePicture = "trace.png";

    private const string OutboxInsert = $"INSERT INTO {CatalogTables.EventGroups}";

    private async Task<List<ReceivedSpan>> SettledAsync(string traceId, CancellationToken ct)
    {
        var spans = fixture.Telemetry.Spans.Where(s => s.TraceId == traceId).ToList();
        // Three quiet seconds in a row, for at most 15 s.
        for (int quiet = 0, waited = 0; quiet < 3 && waited < 15; waited++)
        {
            await Task.Delay(1000, ct);
            var now = fixture.Telemetry.Spans.Where(s => s.TraceId == traceId).ToList();
            quiet = now.Count == spans.Count ? quiet + 1 : 0;
            spans = now;
        }

        return spans;
    }

    private static bool Complete(IReadOnlyList<ReceivedSpan> trace)
    {
        //#if (events)
        if (!trace.Any(s => s.Kind == OtlpSpanKind.Producer))
        {
            return false;
        }

        //#endif
        return trace.Any(s => s.Kind == OtlpSpanKind.Server) && trace.Any(IsOutboxInsert);
    }

    private static bool IsOutboxInsert(ReceivedSpan span) =>
        span.Kind == OtlpSpanKind.Client
        && span.Attributes.GetValueOrDefault("db.query.text") is string sql
        && sql.Contains(OutboxInsert, StringComparison.Ordinal);

    /// <summary>The trace page's rows whose Name cell reads "replica: ...<paramref name="shown"/>...".</summary>
    private static ILocator SpanRows(IPage page, string shown) =>
        page.Locator("tr.fluent-data-grid-row").Filter(new()
        {
            Has = page.Locator($"td[col-index='1'][aria-label*='{shown}']"),
        });

    /// <summary>The resources the app model declares as the dashboard lists them: by name, without parameters or hidden ones.</summary>
    private string[] DeclaredResources() =>
        [.. fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(r => r is not ParameterResource
                && !(fixture.App.ResourceNotifications.TryGetCurrentState(r.Name, out var e) && e.Snapshot.IsHidden))
            .Select(r => r.Name)
            .Order(StringComparer.Ordinal)];

    /// <summary>The resource names in the page's Name column; a replica counts as its resource.</summary>
    private static async Task<string[]> ResourceNamesShownAsync(IPage page, IReadOnlyCollection<string> apiReplicas)
    {
        var labels = await page.Locator("tr.fluent-data-grid-row td[col-index='1']")
            .EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('aria-label') ?? '')");
        return [.. labels
            .Where(label => label.Contains(": ", StringComparison.Ordinal))
            .Select(label => label[(label.LastIndexOf(": ", StringComparison.Ordinal) + 2)..])
            .Select(name => apiReplicas.Contains(name) ? CatalogResourceNames.Api : name)
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>A headless Chromium logged in to the test app's dashboard, and the dashboard's address.</summary>
    private async Task<(HeadlessChromium Chromium, IPage Page, Uri Dashboard)> OpenDashboardAsync(CancellationToken ct)
    {
        var loginUrl = await fixture.GetDashboardLoginUrlAsync(ct);
        var token = System.Web.HttpUtility.ParseQueryString(loginUrl.Query)["t"];
        Assert.False(string.IsNullOrEmpty(token), "The test dashboard is protected by a browser token.");
        var dashboard = new Uri(loginUrl.GetLeftPart(UriPartial.Authority));
        var chromium = await HeadlessChromium.LaunchAsync();
        try
        {
            var page = await chromium.NewPageAsync();
            await LogInAsync(page, dashboard, token, ct);
            return (chromium, page, dashboard);
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
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
