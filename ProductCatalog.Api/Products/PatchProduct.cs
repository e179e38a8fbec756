using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ProductCatalog.Api.Products;

/// <summary>
/// PATCH with a JSON Merge Patch (RFC 7396): the patch is merged into the product's current
/// writable fields and the result is validated like a PUT. <c>null</c> removes a member, so a
/// nullable field becomes null, a defaulted one (currency, tags, stockQuantity, isActive) goes
/// back to its default, and a required one (sku, name, price) is reported as missing.
/// </summary>
internal static class PatchProduct
{
    public const string MediaType = "application/merge-patch+json";

    public static async Task<Results<StoredOk<ProductResponse>, ValidationProblem, NotFoundProblem, ConflictProblem, PreconditionFailedProblem, UnsupportedMediaTypeProblem>> Handle(
        Guid id, HttpRequest request, [AsParameters] ProductWriteServices services, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return CatalogProblems.UnsupportedMediaType(MediaType);
        }

        JsonNode? patch;
        try
        {
            patch = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return CatalogProblems.Validation("$", "The body is not valid JSON.");
        }

        if (patch is not JsonObject patchObject)
        {
            return CatalogProblems.Validation("$", "A merge patch for a product must be a JSON object.");
        }

        var options = services.JsonOptions;
        return await ReplaceProduct.WriteAsync(id, product => Merge(product, patchObject, options), request, services, ct);
    }

    private static Replacement Merge(Product product, JsonObject patch, JsonSerializerOptions options)
    {
        var target = JsonSerializer.SerializeToNode(ProductValues.ToRequest(product), options)!.AsObject();
        MergePatch.Apply(target, patch);

        ProductWriteRequest merged;
        try
        {
            merged = target.Deserialize<ProductWriteRequest>(options)!;
        }
        catch (JsonException ex)
        {
            return CatalogProblems.Validation(JsonErrors.ToField(ex.Path), JsonErrors.Describe(ex));
        }

        var errors = new ValidationErrors();
        return ProductRules.Validate(merged, errors) is { } values ? values : CatalogProblems.Validation(errors.ToDictionary());
    }
}
