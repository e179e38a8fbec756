using Microsoft.AspNetCore.Mvc;
using ProductCatalog.Api.Security;

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
            .Produces<ProductPage>()
            .ProducesValidationProblem();

        products.MapGet("/{id:guid}", GetProduct.ById)
            .WithName("GetProduct")
            .WithSummary("Get a product by id")
            .Produces<ProductResponse>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        products.MapGet("/by-sku/{sku}", GetProduct.BySku)
            .WithName("GetProductBySku")
            .WithSummary("Get a product by SKU (case-insensitive)")
            .Produces<ProductResponse>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var writes = products.MapGroup("")
            .RequireAuthorization(CatalogAuthOptions.WritePolicy)
            .RequireRateLimiting(CatalogSecurityExtensions.WriteRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        writes.MapPost("/", CreateProduct.Handle)
            .WithName("CreateProduct")
            .WithSummary("Create a product")
            .Accepts<ProductWriteRequest>("application/json")
            .Produces<ProductResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        writes.MapPost("/batch", BatchImport.Handle)
            .WithName("ImportProducts")
            .WithSummary("Create 1 to 1000 products, all or nothing")
            .WithMetadata(new RequestSizeLimitAttribute(BatchBodyLimit))
            .Produces<BatchCreateResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        writes.MapPut("/{id:guid}", ReplaceProduct.Put)
            .WithName("ReplaceProduct")
            .WithSummary("Replace a product's writable fields")
            .Produces<ProductResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapPatch("/{id:guid}", PatchProduct.Handle)
            .WithName("PatchProduct")
            .WithSummary("Change some fields with a JSON Merge Patch (RFC 7396)")
            .Accepts<ProductWriteRequest>(PatchProduct.MediaType)
            .Produces<ProductResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        writes.MapDelete("/{id:guid}", DeleteProduct.Handle)
            .WithName("DeleteProduct")
            .WithSummary("Delete a product")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        writes.MapPost("/{id:guid}/stock-adjustments", AdjustStock.Handle)
            .WithName("AdjustStock")
            .WithSummary("Add to or take from a product's stock, atomically; never below 0")
            .Produces<StockLevelResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }
}
