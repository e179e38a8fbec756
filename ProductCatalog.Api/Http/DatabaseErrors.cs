using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ProductCatalog.Api.Http;

/// <summary>Classifies PostgreSQL failures by SQLSTATE and constraint, never by message text.</summary>
public static class DatabaseErrors
{
    public const string UniqueViolation = "23505";
    public const string ForeignKeyViolation = "23503";
    public const string CheckViolation = "23514";
    public const string NumericOutOfRange = "22003";

    public static bool IsUniqueViolation(Exception ex, string constraint) => Is(ex, UniqueViolation, constraint);

    public static bool IsForeignKeyViolation(Exception ex, string constraint) => Is(ex, ForeignKeyViolation, constraint);

    public static bool Is(Exception ex, string sqlState, string? constraint = null) =>
        Find<PostgresException>(ex) is { } pg && pg.SqlState == sqlState && (constraint is null || pg.ConstraintName == constraint);

    /// <summary>
    /// The database cannot be reached or is going away: connection failures, timeouts, server
    /// shutdown, exhausted retries. These become 503, never 500.
    /// </summary>
    public static bool IsUnavailable(Exception ex)
    {
        if (ex is RetryLimitExceededException || Find<TimeoutException>(ex) is not null || Find<SocketException>(ex) is not null)
        {
            return true;
        }

        if (Find<PostgresException>(ex) is { } pg)
        {
            // 08: connection exception; 57P0x: shutdown / cannot connect now; 53300: too many connections.
            return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "57014";
        }

        return Find<NpgsqlException>(ex) is { } npgsql && (npgsql.IsTransient || npgsql.InnerException is IOException);
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T match)
            {
                return match;
            }

            if (ex is DbUpdateException { InnerException: null })
            {
                return null;
            }
        }

        return null;
    }
}
