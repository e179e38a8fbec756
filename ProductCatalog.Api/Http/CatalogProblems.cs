using Microsoft.AspNetCore.Http.HttpResults;

namespace ProductCatalog.Api.Http;

/// <summary>
/// The one place where domain failures become RFC 9457 problems. Every problem has a stable
/// <c>type</c>, a <c>title</c>, a <c>detail</c> meant for people, and (added by the problem
/// details service) the <c>traceId</c>.
/// </summary>
public static class CatalogProblems
{
    public const string TypePrefix = "urn:productcatalog:problem:";

    public static NotFoundProblem NotFound(string what, object id) =>
        new("not-found", "Not found", $"No {what} with id '{id}' exists.");

    public static NotFoundProblem ProductSkuNotFound(string sku) =>
        new("not-found", "Not found", $"No product with SKU '{sku}' exists.");

    public static ConflictProblem DuplicateSku(string sku) =>
        new("duplicate-sku", "Duplicate SKU", $"A product with SKU '{sku}' already exists.");

    public static ConflictProblem DuplicateSkus(IReadOnlyCollection<string> skus) =>
        new("duplicate-sku", "Duplicate SKU",
            $"Products with these SKUs already exist: {string.Join(", ", skus.Take(20))}{(skus.Count > 20 ? ", ..." : "")}.");

    public static ConflictProblem DuplicateCategoryName(string name) =>
        new("duplicate-category", "Duplicate category name", $"A category named '{name}' already exists.");

    public static ConflictProblem CategoryInUse(int id) =>
        new("category-in-use", "Category in use", $"Category {id} still has products; move or delete them first.");

    public static ConflictProblem Conflict(string type, string title, string detail) => new(type, title, detail);

    public static PreconditionFailedProblem PreconditionFailed() =>
        new("precondition-failed", "Precondition failed",
            "The resource has changed since the ETag in If-Match was issued. GET it again and retry with the new ETag.");

    public static ConflictProblem InsufficientStock(int current, int delta) =>
        new("insufficient-stock", "Insufficient stock", $"Adjusting stock {current} by {delta} would make it negative.");

    public static IdempotencyKeyReusedProblem IdempotencyKeyReused() =>
        new("idempotency-key-reused", "Idempotency key reused",
            "This Idempotency-Key was already used with a different request body in the last 24 hours. Use a new key.");

    public static UnsupportedMediaTypeProblem UnsupportedMediaType(string expected) =>
        new("unsupported-media-type", "Unsupported media type", $"The request body must be sent as '{expected}'.");

    public static ProblemHttpResult ServiceUnavailable() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "service-unavailable", "Service unavailable",
            "The catalog database cannot be reached right now. Retry after the delay in Retry-After.");

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors,
            detail: "One or more fields are invalid; see 'errors'.",
            title: "Validation failed",
            type: TypePrefix + "validation");

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Problem(int status, string type, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypePrefix + type);
}
