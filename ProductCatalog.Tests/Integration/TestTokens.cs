using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ProductCatalog.Tests.Integration;

/// <summary>Mints bearer tokens the way a development identity provider would.</summary>
public static class TestTokens
{
    // The AppHost's development tokens name the issuer and audience the api trusts; tests use the same.
    public const string Issuer = DevelopmentToken.Issuer;
    public const string Audience = DevelopmentToken.Audience;
    public const string WriteScope = DevelopmentToken.WriteScope;

    public static string Mint(
        string signingKey,
        string? scope = WriteScope,
        string? subject = null,
        DateTime? expires = null,
        string audience = Audience,
        string issuer = Issuer)
    {
        var claims = new List<Claim> { new("sub", subject ?? "test-" + Guid.NewGuid().ToString("N")) };
        if (scope is not null)
        {
            claims.Add(new Claim("scope", scope));
        }

        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = expiry.AddHours(-2),
            IssuedAt = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
