using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace ProductCatalog.Api.Products;

public static class ProductEndpoints
{
    /// <summary>Large enough for 1000 products with full descriptions.</summary>
    public const long BatchBodyLimit = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/api/v1/products")
            .WithTags("Products")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        products.MapGet("/", ListProducts.Handle)
            .WithName("ListProducts")
            .WithSummary("List products, filtered and sorted, one keyset page at a time")
            .ValidatesQuery(ProductListQuery.Validate)
            .RecordsListDuration()
            .ProducesHeader(StatusCodes.Status200OK, "Link", required: false)
            .ProducesHeader(StatusCodes.Status200OK, ProductSearch.FallbackHeader, required: false)
            .DescribesResponse(StatusCodes.Status200OK, "One page of products in the requested order. Follow `Link` (or send `nextCursor` as `cursor`) for the next. "
                + $"`sort=relevance` ranks at most the first {ProductSearch.RankedCandidates} matches; a search that matches nothing is "
                + $"repeated with its misspelt words corrected to words of product names (by relevance), and says so with `{ProductSearch.FallbackHeader}: {ProductSearch.SimilarityMode}` on every page.");

        // Before /{id:guid} only for the reader: "facets" is not a GUID, so the routes cannot clash.
        products.MapGet("/facets", GetProductFacets.Handle)
            .WithName("GetProductFacets")
            .WithSummary("Count the matching products by category, tag, price range and stock, for a filter sidebar")
            .ValidatesQuery(ProductListQuery.ValidateFacets)
            .DescribesResponse(StatusCodes.Status200OK, $"Counts for the products the filters match (the {GetProductFacets.MaxBuckets} most frequent categories and tags). "
                + $"Exact up to {GetProductFacets.ExactBound} matching products; past that `approximate` is true and the counts are estimates.")
            .DescribesResponse(StatusCodes.Status400BadRequest, "A filter is invalid, or `sort`, `limit` or `cursor` was sent (facets count every match). `errors` names each parameter.");

        products.MapGet("/{id:guid}", GetProduct.ById)
            .WithName("GetProduct")
            .WithSummary("Get a product by id")
            .AcceptsHeader("If-None-Match", IfNoneMatch)
            .WithETag(StatusCodes.Status200OK, StatusCodes.Status304NotModified)
            .DescribesResponse(StatusCodes.Status200OK, "The product, with its current ETag.");

        products.MapGet("/by-sku/{sku}", GetProduct.BySku)
            .WithName("GetProductBySku")
            .WithSummary("Get a product by SKU (case-insensitive)")
            .AcceptsHeader("If-None-Match", IfNoneMatch)
            .WithETag(StatusCodes.Status200OK, StatusCodes.Status304NotModified)
            .DescribesResponse(StatusCodes.Status200OK, "The product, with its current ETag.")
            .DescribesResponse(StatusCodes.Status404NotFound, "No product has this SKU (SKUs are compared case-insensitively).");

        var authorized = products.MapGroup("")
            .RequireAuthorization(CatalogAuthOptions.WritePolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        // Only a request with a body can be over the body limit (413): DELETE cannot.
        var writes = authorized.MapGroup("")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        var deletes = authorized.MapGroup("")
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        writes.MapPost("/", CreateProduct.Handle)
            .WithName("CreateProduct")
            .WithSummary("Create a product")
            .AcceptsHeader(IdempotencyKeys.HeaderName, IdempotencyKeyDescription)
            .Accepts<ProductWriteRequest>("application/json")
            .WithRequestExample("A tent", Tent())
            .ProducesHeader(StatusCodes.Status201Created, "Location")
            .WithETag(StatusCodes.Status201Created)
            .ProducesHeader(StatusCodes.Status201Created, StoredJsonResponse.ReplayedHeader, required: false)
            .DescribesResponse(StatusCodes.Status201Created, "Created (or, with a known `Idempotency-Key`, the first response again). The body is the product as stored: SKU upper-cased, tags lower-cased, defaults filled in.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapPost("/batch", BatchImport.Handle)
            .WithName("ImportProducts")
            .WithSummary("Create 1 to 1000 products, all or nothing")
            .WithMetadata(new RequestSizeLimitAttribute(BatchBodyLimit))
            .AcceptsHeader(IdempotencyKeys.HeaderName, IdempotencyKeyDescription)
            .WithRequestExample("Two products", new JsonObject
            {
                ["items"] = new JsonArray(Tent(), new JsonObject { ["sku"] = "MAT-FOAM-XL", ["name"] = "Foam sleeping mat, XL", ["price"] = 39.5m, ["tags"] = new JsonArray("camping") }),
            })
            .ProducesHeader(StatusCodes.Status201Created, StoredJsonResponse.ReplayedHeader, required: false)
            .DescribesResponse(StatusCodes.Status201Created, "Every product was created; `ids` are in the order of `items`.")
            .DescribesResponse(StatusCodes.Status400BadRequest, "Nothing was created. `errors` names each invalid field by its position (`items[3].sku`); fix those and send the whole batch again.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapPut("/{id:guid}", ReplaceProduct.Put)
            .WithName("ReplaceProduct")
            .WithSummary("Replace a product's writable fields")
            .AcceptsHeader("If-Match", IfMatch)
            .WithRequestExample("A tent", Tent())
            .WithETag(StatusCodes.Status200OK)
            .DescribesResponse(StatusCodes.Status200OK, "The product as stored now, with its new ETag.");

        writes.MapPatch("/{id:guid}", PatchProduct.Handle)
            .WithName("PatchProduct")
            .WithSummary("Change some fields with a JSON Merge Patch (RFC 7396)")
            .AcceptsHeader("If-Match", IfMatch)
            .Accepts<ProductWriteRequest>(PatchProduct.MediaType)
            .WithRequestExample("A new price, no description", new JsonObject { ["price"] = 229.99m, ["description"] = null })
            .WithETag(StatusCodes.Status200OK)
            .DescribesResponse(StatusCodes.Status200OK, "The product as stored now, with its new ETag.")
            .DescribesResponse(StatusCodes.Status415UnsupportedMediaType, $"A merge patch must be sent as `{PatchProduct.MediaType}`.");

        deletes.MapDelete("/{id:guid}", DeleteProduct.Handle)
            .WithName("DeleteProduct")
            .WithSummary("Delete a product")
            .AcceptsHeader("If-Match", IfMatch)
            .DescribesResponse(StatusCodes.Status204NoContent, "Deleted.");

        writes.MapPost("/{id:guid}/stock-adjustments", AdjustStock.Handle)
            .WithName("AdjustStock")
            .WithSummary("Add to or take from a product's stock, atomically; never below 0")
            .WithRequestExample("Two shipped", new JsonObject { ["delta"] = -2, ["reason"] = "order 1042 shipped" })
            .DescribesResponse(StatusCodes.Status200OK, "The stock after the adjustment.")
            .DescribesResponse(StatusCodes.Status409Conflict, "The adjustment would take stock below 0 (`insufficient-stock`) or past 2147483647 (`stock-overflow`); nothing changed.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    private const string IfNoneMatch = "An ETag from an earlier response: 304 Not Modified, without a body, while it is still current.";
    private const string IfMatch = "The ETag you last read: the write applies only if the product still has it (412 otherwise). Without it, the last write wins.";
    private const string IdempotencyKeyDescription =
        "1 to 255 visible ASCII characters, unique per request you mean. Sending the same key and body again within 24 hours replays the first response "
        + "and writes nothing; the same key with another body is 422.";

    private static RouteHandlerBuilder WithETag(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.ProducesHeader(status, "ETag");
        }

        return builder;
    }

    private static JsonObject Tent() => new()
    {
        ["sku"] = "TENT-2P-GRN",
        ["name"] = "Two-person trekking tent",
        ["description"] = "Free-standing, 1.9 kg, green.",
        ["price"] = 249.99m,
        ["currency"] = "USD",
        ["categoryId"] = null,
        ["tags"] = new JsonArray("camping", "tents"),
        ["stockQuantity"] = 12,
        ["isActive"] = true,
    };
}
