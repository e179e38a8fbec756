using System.Text.Json;

namespace ProductCatalog.Api.Http;

/// <summary>Turns System.Text.Json failures into field paths and messages without .NET type names.</summary>
public static class JsonErrors
{
    /// <summary><c>$.items[3].sku</c> becomes <c>items[3].sku</c>; the root becomes <c>$</c>.</summary>
    public static string ToField(string? path) =>
        path is null or "$" or "" ? "$"
        : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
        : path.StartsWith('$') ? path[1..]
        : path;

    public static string Describe(JsonException exception) =>
        // The reader's own exception type is internal; a syntax error is the only kind it raises.
        exception.InnerException?.GetType().Name == "JsonReaderException" ? "The body is not valid JSON (syntax error near here)."
        : exception.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "Unknown field."
        : exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "Field given more than once."
        : exception.Path is null or "$" ? "The body is not valid JSON."
        : "Invalid value for this field (wrong type, out of range or malformed).";
}
