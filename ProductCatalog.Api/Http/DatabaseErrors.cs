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
        if (ex is RetryLimitExceededException or CommitUnconfirmedException || Find<TimeoutException>(ex) is not null || Find<SocketException>(ex) is not null)
        {
            return true;
        }

        if (Find<PostgresException>(ex) is { } pg)
        {
            // 08: connection exception; 57P0x: shutdown / cannot connect now; 53300: too many connections.
            return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "57014";
        }

        return Find<NpgsqlException>(ex) is { } npgsql && (npgsql.IsTransient || npgsql.InnerException is IOException || IsNoSuitableHost(npgsql));
    }

    /// <summary>
    /// A multi-host data source (primary plus standbys) found no primary: every host is down, or
    /// a standby is not promoted yet. Npgsql throws a plain, non-transient NpgsqlException then,
    /// with no inner exception (each host already known offline or a standby) or an
    /// AggregateException of each host's failure. Recognised by where it was thrown, not by its
    /// text (the same words from anywhere else stay a 500); the bare shape is what answered two
    /// creates in flight at a primary's kill with 500 (captured from the api's log, issue 21).
    /// </summary>
    private static bool IsNoSuitableHost(NpgsqlException ex) =>
        ex is not PostgresException
        && ex.TargetSite?.DeclaringType is { } thrower
        && (thrower == typeof(NpgsqlMultiHostDataSource) || thrower.DeclaringType == typeof(NpgsqlMultiHostDataSource))
        && ex.InnerException switch
        {
            null => true,
            AggregateException hosts => hosts.InnerExceptions.All(IsUnavailable),
            _ => false,
        };

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
