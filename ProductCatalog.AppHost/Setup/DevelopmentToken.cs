using System.Reflection;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ProductCatalog.AppHost.Setup;

/// <summary>
/// Development bearer tokens for local writes, signed with the AppHost's <c>auth-signing-key</c>
/// parameter, which the api trusts (issuer <c>productcatalog-dev</c>). The key is generated on the
/// first run and kept in the AppHost's user secrets (outside the repository), so a token minted
/// from the command line is valid against the running app without a restart and without
/// editing any tracked file.
/// </summary>
public static class DevelopmentToken
{
    public const string SigningKeyParameter = "auth-signing-key";
    public const string Issuer = "productcatalog-dev";
    public const string Audience = "productcatalog-api";
    public const string WriteScope = "catalog.write";

    /// <summary>Reads the change feed (GET /api/v1/events).</summary>
    public const string EventsScope = "catalog.events";

    /// <summary>A developer's token may write and read the change feed, like the README and docs/events.md show.</summary>
    public const string Scopes = WriteScope + " " + EventsScope;
    public const string Subject = "developer";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public static string Mint(string signingKey, DateTime now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", Subject), new Claim("scope", Scopes)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });

    /// <summary>
    /// <c>dotnet run --project ProductCatalog.AppHost -- token</c>: prints a write token (only the
    /// token, so <c>TOKEN=$(...)</c> works) and returns 0, or says what is missing and returns 1.
    /// The key comes from the AppHost's configuration as the app reads it: user secrets, then
    /// environment (<c>Parameters__auth-signing-key</c>), then the command line.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var configuration = new ConfigurationBuilder()
            .AddUserSecrets(Assembly.GetExecutingAssembly(), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var key = configuration[$"Parameters:{SigningKeyParameter}"];
        if (string.IsNullOrEmpty(key))
        {
            error.WriteLine(
                $"No development signing key yet: the AppHost generates '{SigningKeyParameter}' into its user secrets on its first run. "
                + "Start it once (dotnet run --project ProductCatalog.AppHost), then run this again.");
            return 1;
        }

        output.WriteLine(Mint(key, DateTime.UtcNow));
        return 0;
    }
}
