extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using JsonSchemaNet::Json.Schema;

namespace ProductCatalog.Tests.Deployment;

/// <summary>Validates documents against the offline schema copies in <c>Deployment/Schemas</c>.</summary>
internal static class SchemaValidation
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> s_schemas = new();

    /// <summary>The schema's complaints, one line each (empty when valid).</summary>
    public static IReadOnlyList<string> Errors(string schemaFileName, JsonNode? document)
    {
        var schema = s_schemas.GetOrAdd(schemaFileName, name => new Lazy<JsonSchema>(() =>
            JsonSchema.FromFile(RepositoryPaths.Schema(name), new BuildOptions()))).Value;
        using var json = JsonDocument.Parse(document?.ToJsonString() ?? "null");
        var results = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return [.. (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid (no details)")];
    }
}
