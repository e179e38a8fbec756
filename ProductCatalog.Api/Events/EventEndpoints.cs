using Microsoft.Extensions.Options;

namespace ProductCatalog.Api.Events;

public static class EventEndpoints
{
    /// <summary>The change feed; not served when <see cref="ChangeEventOptions.Enabled"/> is false (it would never move).</summary>
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<ChangeEventOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapGroup("/api/v1/events")
            .WithTags("Events")
            .RequireAuthorization(CatalogAuthOptions.EventsPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .MapGet("/", ReadEventFeed.Handle)
            .WithName("ReadEvents")
            .WithSummary("Read the change feed: committed changes as CloudEvents, in order, optionally waiting for the next")
            .WithDescription("Needs the scope catalog.events. Follow 'next' (or the Link header) to continue; it never skips an event. "
                + "With 'wait', the call returns as soon as an event is available or the wait ends (then 'items' is empty and 'next' equals 'after').");
        return app;
    }
}
