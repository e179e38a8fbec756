using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace ProductCatalog.Api;

public static class CatalogApiExtensions
{
    /// <summary>Every body but the batch import's; a product with a full description needs ~10 KB.</summary>
    public const long DefaultBodyLimit = 1024 * 1024;

    /// <summary>
    /// True while the build runs the app to write ProductCatalog.Api.json (Microsoft.Extensions.ApiDescription.Server
    /// starts it through GetDocument.Insider): there is no database and no secret then, so nothing
    /// that needs them may start. Endpoint registration needs neither.
    /// </summary>
    public static bool IsGeneratingOpenApiDocument { get; } =
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// While the build writes the OpenAPI document, no background work starts: every hosted service
    /// (listener, relay, purgers, replica counter) needs the database or the broker, and a failing one
    /// would stop the host before the document is written. Call it last, after every registration.
    /// </summary>
    public static IHostApplicationBuilder WithoutBackgroundWorkWhenGeneratingOpenApiDocument(this IHostApplicationBuilder builder)
    {
        if (IsGeneratingOpenApiDocument)
        {
            builder.Services.RemoveAll<IHostedService>();
        }

        return builder;
    }

    public static IHostApplicationBuilder AddCatalogApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Problems the framework makes (unknown route, wrong method) get the same shape as ours.
            var problem = context.ProblemDetails;
            problem.Detail ??= problem.Status is { } status ? ReasonPhrases.GetReasonPhrase(status) + "." : null;
        });
        services.AddExceptionHandler<CatalogExceptionHandler>();

        // Body binding errors are thrown (and mapped to problems) in every environment, not just logged.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = DefaultBodyLimit);
        services.ConfigureHttpJsonOptions(options =>
        {
            var json = options.SerializerOptions;
            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.AllowDuplicateProperties = false;
            json.MaxDepth = 32;
            json.Converters.Add(new UtcTimestampJsonConverter());
        });

        // On SIGTERM (a scale-in or deployment on Container Apps) Kestrel stops accepting and lets
        // in-flight requests finish; this bounds the wait below ACA's 30 s termination grace period.
        services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(25));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CursorCodec.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddHostedService<IdempotencyKeyPurger>();
        services.AddProductReader();
        builder.AddProductReadCache();

        builder.AddCatalogSecurity();
        services.AddCatalogOpenApi();
        return builder;
    }

    public static WebApplication UseCatalogApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            // Behind Container Apps' ingress set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true so the
            // original scheme is seen; locally and in tests the API speaks plain http.
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }
}
