using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace ProductCatalog.Api.Security;

public static class CatalogSecurityExtensions
{
    public const string WriteRateLimitPolicy = "writes";

    public static IHostApplicationBuilder AddCatalogSecurity(this IHostApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection(CatalogAuthOptions.SectionName).Get<CatalogAuthOptions>() ?? new CatalogAuthOptions();

        var userJwts = builder.Environment.IsDevelopment() ? UserJwtsSigningKeys(builder.Configuration) : [];

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.Audience = auth.Audience;
                if (!string.IsNullOrWhiteSpace(auth.Authority))
                {
                    options.Authority = auth.Authority;
                    return;
                }

                // No authority: only tokens signed with the configured development key are valid.
                // Without a key every write is refused (fail closed), reads stay anonymous.
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuers = [auth.Issuer, .. userJwts.Select(k => k.Issuer)],
                    ValidAudience = auth.Audience,
                    IssuerSigningKeys = [.. new[] { DevelopmentKey(auth.SigningKey) }.OfType<SecurityKey>(), .. userJwts.Select(k => k.Key)],
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    RequireExpirationTime = true,
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(CatalogAuthOptions.WritePolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, CatalogAuthOptions.WriteScope)))
            .AddPolicy(CatalogAuthOptions.EventsPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => HasScope(context.User, CatalogAuthOptions.EventsScope)));

        var limits = builder.Configuration.GetSection(WriteRateLimitOptions.SectionName).Get<WriteRateLimitOptions>() ?? new WriteRateLimitOptions();
        builder.Services.AddSingleton<LiveReplicas>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveReplicas>());
        builder.Services.AddRateLimiter(options =>
        {
            // The limit is per client across all replicas: each replica enforces its share, the
            // limit divided by the replicas now running (the ingress spreads a client's requests
            // over them). The count is part of the partition key, so a scale-out re-partitions.
            options.AddPolicy(WriteRateLimitPolicy, context =>
            {
                var replicas = context.RequestServices.GetRequiredService<LiveReplicas>().Count;
                return RateLimitPartition.GetTokenBucketLimiter(
                    (Client: ClientKey(context), Replicas: replicas),
                    key => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = WriteRateLimitOptions.Share(limits.Burst, key.Replicas),
                        TokensPerPeriod = WriteRateLimitOptions.Share(limits.PerSecond, key.Replicas),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await CatalogProblems.Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                    $"This client sent too many writes. Retry after {retryAfter} second(s).").ExecuteAsync(context.HttpContext);
            };
        });

        return builder;
    }

    /// <summary>Scopes come as a space-separated <c>scope</c> (OAuth) or <c>scp</c> (Entra ID) claim.</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Concat(user.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);

    /// <summary>Writes are limited per caller: the token's subject (or client id), else the remote address.</summary>
    public static string ClientKey(HttpContext context)
    {
        var user = context.User;
        var id = user.FindFirst("azp")?.Value ?? user.FindFirst("appid")?.Value ?? user.FindFirst("sub")?.Value;
        return id is not null ? "sub:" + id : "ip:" + context.Connection.RemoteIpAddress;
    }

    /// <summary>
    /// Keys that <c>dotnet user-jwts create --project ProductCatalog.Api</c> stored in the Api's
    /// user secrets (Development only), so that tool can mint local tokens too.
    /// </summary>
    public static IReadOnlyList<(string Issuer, SecurityKey Key)> UserJwtsSigningKeys(IConfiguration configuration) =>
        [.. configuration.GetSection("Authentication:Schemes:Bearer:SigningKeys").GetChildren()
            .Select(k => (Issuer: k["Issuer"], Value: k["Value"]))
            .Where(k => !string.IsNullOrEmpty(k.Issuer) && !string.IsNullOrEmpty(k.Value))
            .Select(k => (k.Issuer!, (SecurityKey)new SymmetricSecurityKey(Convert.FromBase64String(k.Value!))))];

    private static SymmetricSecurityKey? DevelopmentKey(string? signingKey) =>
        signingKey is { Length: >= 32 } ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)) : null;
}

public sealed class WriteRateLimitOptions
{
    public const string SectionName = "Catalog:RateLimit";

    /// <summary>Writes a client may send at once.</summary>
    public int Burst { get; set; } = 200;

    /// <summary>Sustained writes per second per client.</summary>
    public int PerSecond { get; set; } = 50;

    /// <summary>
    /// What the 429 response means, for the API description: the limit holds per client across
    /// every replica, each replica enforcing its share.
    /// </summary>
    public const string Description =
        "Too many writes from this client (token subject, else IP address). The limit holds for the client across all API replicas: "
        + "each replica allows its share, the limit divided by the replicas running (re-counted every 10 s). Retry after the `Retry-After` seconds.";

    /// <summary>One replica's share of <paramref name="limit"/>, rounded up so the sum never falls below it.</summary>
    public static int Share(int limit, int replicas) => Math.Max(1, (limit + replicas - 1) / Math.Max(1, replicas));
}
