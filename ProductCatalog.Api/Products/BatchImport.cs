using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ProductCatalog.Api.Products;

/// <summary>
/// All-or-nothing import of up to 1000 products: validated as a whole, then written with one
/// binary COPY inside one transaction (a handful of round trips, not one per product).
/// </summary>
internal static class BatchImport
{
    public const int MaxItems = 1000;
    public const string IdempotencyScope = "POST /api/v1/products/batch";

    public static async Task<Results<StoredCreated<BatchCreateResponse>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>> Handle(
        BatchCreateRequest body, HttpRequest request, [AsParameters] ProductWriteServices services, CancellationToken ct)
    {
        var (key, keyError) = IdempotencyKeys.Read(request);
        if (keyError is not null)
        {
            return CatalogProblems.Validation(IdempotencyKeys.HeaderName, keyError);
        }

        if (body.Items is not { Count: > 0 and <= MaxItems } items)
        {
            return CatalogProblems.Validation("items", $"Required; 1 to {MaxItems} products.");
        }

        var errors = new ValidationErrors();
        var values = new ProductValues[items.Count];
        var firstIndexOfSku = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                errors.Add($"items[{i}]", "Must be a product object.");
                continue;
            }

            if (ProductRules.Validate(item, errors, $"items[{i}].") is { } valid)
            {
                values[i] = valid;
                if (!firstIndexOfSku.TryAdd(valid.Sku, i))
                {
                    errors.Add($"items[{i}].sku", $"Duplicate of items[{firstIndexOfSku[valid.Sku]}].sku in this batch.");
                }
            }
        }

        if (!errors.IsEmpty)
        {
            return CatalogProblems.Validation(errors.ToDictionary());
        }

        var (db, options) = (services.Db, services.JsonOptions);
        var hash = key is null ? null : IdempotencyKeys.Hash(IdempotencyScope, body, options);
        return await TransactionalWrite.ExecuteAsync<BatchCreateResponse>(
            db, key, hash, token => WriteAsync(db, values, services.Time, options, services.Events, token), () => services.Metrics.ProductCreated(values.Length), ct);
    }

    private static async Task<Results<StoredCreated<BatchCreateResponse>, ValidationProblem, ConflictProblem, IdempotencyKeyReusedProblem>> WriteAsync(
        CatalogDbContext db, ProductValues[] values, TimeProvider time, JsonSerializerOptions json, ChangeEventRecorder events, CancellationToken ct)
    {
        var categoryIds = values.Select(v => v.CategoryId).OfType<int>().Distinct().ToArray();
        if (categoryIds.Length > 0)
        {
            var existing = await db.Categories.Where(c => categoryIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
            var errors = new ValidationErrors();
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i].CategoryId is { } id && !existing.Contains(id))
                {
                    errors.Add($"items[{i}].categoryId", $"Category {id} does not exist.");
                }
            }

            if (!errors.IsEmpty)
            {
                return CatalogProblems.Validation(errors.ToDictionary());
            }
        }

        var skus = values.Select(v => v.Sku).ToArray();
        var taken = await db.Products.Where(p => skus.Contains(p.Sku)).Select(p => p.Sku).ToListAsync(ct);
        if (taken.Count > 0)
        {
            return CatalogProblems.DuplicateSkus(taken);
        }

        var now = ProductWriteSupport.Now(time);
        var products = values.Select(v => v.ToNewProduct(now)).ToArray();
        try
        {
            await CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), products, ct);
        }
        catch (PostgresException ex) when (ex.SqlState == DatabaseErrors.UniqueViolation)
        {
            // A concurrent writer took one of the SKUs after our check.
            return CatalogProblems.DuplicateSkus(skus);
        }
        catch (PostgresException ex) when (ex.SqlState == DatabaseErrors.ForeignKeyViolation)
        {
            return CatalogProblems.Validation("items", "A category used by this batch was deleted while it was imported.");
        }

        // One catalog.product.created per item, in item order, in the same transaction: one outbox row.
        events.Record(db, e => [.. products.Select(p => e.ProductCreated(ProductResponse.From(p)))]);
        await db.SaveChangesAsync(ct);

        var response = new BatchCreateResponse([.. products.Select(p => p.Id)]);
        return new StoredCreated<BatchCreateResponse>(new StoredJsonResponse(StatusCodes.Status201Created, JsonSerializer.Serialize(response, json), null, null));
    }

    private static async Task CopyAsync(NpgsqlConnection connection, Product[] products, CancellationToken ct)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {CatalogTables.Products} (id, sku, name, description, price, currency, category_id, tags, stock_quantity, is_active, created_at, updated_at) FROM STDIN (FORMAT BINARY)",
            ct);
        foreach (var p in products)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(p.Id, NpgsqlDbType.Uuid, ct);
            await importer.WriteAsync(p.Sku, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(p.Name, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(p.Description, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(p.Price, NpgsqlDbType.Numeric, ct);
            await importer.WriteAsync(p.Currency, NpgsqlDbType.Char, ct);
            await importer.WriteAsync(p.CategoryId, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(p.Tags, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await importer.WriteAsync(p.StockQuantity, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(p.IsActive, NpgsqlDbType.Boolean, ct);
            await importer.WriteAsync(p.CreatedAt, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(p.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
        }

        await importer.CompleteAsync(ct);
    }
}
