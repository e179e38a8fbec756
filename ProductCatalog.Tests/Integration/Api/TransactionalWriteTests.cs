using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ProductCatalog.Tests.Integration.Api;

/// <summary>
/// <see cref="TransactionalWrite"/> has one commit rule for every way a handler calls it: a 2xx
/// commits, anything else rolls back. Before, the idempotent overload committed only a
/// <see cref="StoredJsonResponse"/>, so a <c>TypedResults.Created</c> through it was rolled back silently.
/// </summary>
public sealed class TransactionalWriteTests(CatalogAppFixture fixture)
{
    private async Task<CatalogDbContext> OpenAsync() =>
        new(new DbContextOptionsBuilder<CatalogDbContext>()
            .UseNpgsql(await fixture.GetDatabaseConnectionStringAsync(), npgsql => npgsql.EnableRetryOnFailure())
            .Options);

    private static async Task<bool> ExistsAsync(CatalogDbContext db, string name) =>
        await db.Categories.AsNoTracking().AnyAsync(c => c.Name == name, Ct);

    public static TheoryData<string> Successes => ["Created", "Ok", "NoContent", "Results<Created, ...>"];

    [Theory]
    [MemberData(nameof(Successes))]
    public async Task Every_2xx_commits_through_the_plain_overload(string answer)
    {
        await using var db = await OpenAsync();
        var name = UniqueName("tx-commit");
        var committed = 0;

        var result = await TransactionalWrite.ExecuteAsync<IResult>(db, async token =>
        {
            db.Categories.Add(new Category { Name = name });
            await db.SaveChangesAsync(token);
            return answer switch
            {
                "Created" => TypedResults.Created("/x", 1),
                "Ok" => TypedResults.Ok(1),
                "NoContent" => TypedResults.NoContent(),
                _ => (Results<Created<int>, ValidationProblem>)TypedResults.Created("/x", 1),
            };
        }, () => committed++, Ct);

        Assert.NotNull(result);
        Assert.True(await ExistsAsync(db, name), $"{answer} was rolled back");
        Assert.Equal(1, committed);
    }

    [Fact]
    public async Task A_problem_rolls_back_and_records_nothing()
    {
        await using var db = await OpenAsync();
        var name = UniqueName("tx-rollback");
        var committed = 0;

        await TransactionalWrite.ExecuteAsync<Results<NoContent, NotFoundProblem>>(db, async token =>
        {
            db.Categories.Add(new Category { Name = name });
            await db.SaveChangesAsync(token);
            return CatalogProblems.NotFound("category", 1);
        }, () => committed++, Ct);

        Assert.False(await ExistsAsync(db, name));
        Assert.Equal(0, committed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_idempotent_overload_commits_a_2xx_with_or_without_a_key_and_replays_it(bool withKey)
    {
        await using var db = await OpenAsync();
        var name = UniqueName("tx-idempotent");
        var key = withKey ? $"tx-test:{Guid.NewGuid():N}" : null;
        byte[]? hash = withKey ? [1, 2, 3] : null;
        var writes = 0;
        var committed = 0;

        Task<Results<StoredCreated<int>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>> Write() =>
            TransactionalWrite.ExecuteAsync<int>(db, key, hash, async token =>
            {
                writes++;
                db.Categories.Add(new Category { Name = writes == 1 ? name : name + " again" });
                await db.SaveChangesAsync(token);
                return new StoredCreated<int>(new StoredJsonResponse(StatusCodes.Status201Created, "1", "/x", null));
            }, () => committed++, Ct);

        var first = await Write();
        Assert.True(await ExistsAsync(db, name));
        Assert.False(((StoredCreated<int>)first.Result).Response.Replayed);

        if (withKey)
        {
            var replay = await Write();
            Assert.True(((StoredCreated<int>)replay.Result).Response.Replayed);
            Assert.Equal(1, writes);
            Assert.Equal(1, committed);
            Assert.False(await ExistsAsync(db, name + " again"));
        }
        else
        {
            Assert.Equal(1, committed);
        }
    }
}
