extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using JsonSchemaNet::Json.Schema;

namespace ProductCatalog.Tests.Integration.Contract;

/// <summary>
/// The API's live OpenAPI document as a checker of responses: is the status declared for the
/// operation, are the declared headers there and well-formed, and does the body match the schema
/// declared for its media type (JSON Schema 2020-12, which OpenAPI 3.1 schemas are).
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>The part of the server the document describes; /health, /alive and /openapi are operations endpoints outside it.</summary>
    public const string DescribedPrefix = "/api/";

    private readonly JsonObject _paths;
    private readonly JsonObject _schemas;
    private readonly ConcurrentDictionary<string, JsonSchema> _compiled = new();

    public OpenApiContract(string documentJson)
    {
        var document = JsonNode.Parse(documentJson)?.AsObject() ?? throw new ArgumentException("The OpenAPI document is not a JSON object.", nameof(documentJson));
        _paths = document["paths"]?.AsObject() ?? throw new ArgumentException("The OpenAPI document has no paths.", nameof(documentJson));
        _schemas = document["components"]?["schemas"]?.AsObject() ?? [];
    }

    /// <summary>The problems with this response, empty when it is what the document promises.</summary>
    public IReadOnlyList<string> Check(HttpMethod method, string path, HttpResponseMessage response, byte[] body)
    {
        if (!path.StartsWith(DescribedPrefix, StringComparison.Ordinal))
        {
            return [];
        }

        var status = (int)response.StatusCode;
        if (FindOperation(method, path) is not var (template, operation))
        {
            return [$"{method} {path} is not an operation in the document"];
        }

        var responses = operation["responses"]?.AsObject();
        var declared = responses?[status.ToString(CultureInfo.InvariantCulture)]
            ?? responses?[$"{status / 100}XX"]
            ?? responses?["default"];
        if (declared is null)
        {
            return [$"{method} {template}: status {status} is not declared (declared: {string.Join(", ", responses?.Select(r => r.Key) ?? [])})"];
        }

        var violations = new List<string>();
        CheckHeaders(declared["headers"]?.AsObject(), response, violations);
        CheckBody(declared["content"]?.AsObject(), response.Content.Headers.ContentType, body, violations);
        return [.. violations.Select(v => $"{method} {template} {status}: {v}")];
    }

    private (string Template, JsonObject Operation)? FindOperation(HttpMethod method, string path)
    {
        var segments = path.Split('/');
        var verb = method.Method.ToLowerInvariant();
        (string, JsonObject)? best = null;
        var bestLiterals = -1;
        foreach (var (template, item) in _paths)
        {
            var parts = template.Split('/');
            if (parts.Length != segments.Length || item?[verb] is not JsonObject operation)
            {
                continue;
            }

            var literals = 0;
            var matches = true;
            for (var i = 0; i < parts.Length && matches; i++)
            {
                if (parts[i].StartsWith('{') && parts[i].EndsWith('}'))
                {
                    matches = segments[i].Length > 0;
                }
                else
                {
                    matches = string.Equals(parts[i], segments[i], StringComparison.Ordinal);
                    literals++;
                }
            }

            // A concrete path wins over a templated one (OpenAPI 3.1, "Paths Object").
            if (matches && literals > bestLiterals)
            {
                best = (template, operation);
                bestLiterals = literals;
            }
        }

        return best;
    }

    private void CheckHeaders(JsonObject? headers, HttpResponseMessage response, List<string> violations)
    {
        foreach (var (name, header) in headers ?? [])
        {
            var values = response.Headers.TryGetValues(name, out var found) ? found.ToList()
                : response.Content.Headers.TryGetValues(name, out var content) ? content.ToList()
                : [];
            if (values.Count == 0)
            {
                if (header?["required"]?.GetValue<bool>() == true)
                {
                    violations.Add($"required header {name} is missing");
                }

                continue;
            }

            if (header?["schema"] is not JsonObject schema)
            {
                continue;
            }

            foreach (var value in values)
            {
                JsonNode? instance = schema["type"]?.GetValue<string>() is "integer" or "number"
                    ? decimal.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value)
                    : JsonValue.Create(value);
                violations.AddRange(Validate(schema, instance).Select(e => $"header {name}: '{value}': {e}"));
            }
        }
    }

    private void CheckBody(JsonObject? content, MediaTypeHeaderValue? contentType, byte[] body, List<string> violations)
    {
        if (content is null || content.Count == 0)
        {
            if (body.Length > 0)
            {
                violations.Add($"no body is declared, but one came ({body.Length} bytes of {contentType})");
            }

            return;
        }

        var mediaType = contentType?.MediaType;
        if (mediaType is null || content[mediaType] is not JsonObject declared)
        {
            violations.Add($"content type '{contentType}' is not declared (declared: {string.Join(", ", content.Select(c => c.Key))}); body: {Excerpt(body)}");
            return;
        }

        if (declared["schema"] is not JsonObject schema)
        {
            return;
        }

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            violations.Add($"the body is not JSON ({ex.Message}): {Excerpt(body)}");
            return;
        }

        violations.AddRange(Validate(schema, instance).Select(e => $"body: {e}; body was {Excerpt(body)}"));
    }

    private IEnumerable<string> Validate(JsonObject schema, JsonNode? instance)
    {
        var key = schema.ToJsonString();
        var compiled = _compiled.GetOrAdd(key, _ =>
        {
            // One self-contained schema: the components become $defs, so every $ref resolves inside it.
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = _schemas.DeepClone(),
                ["allOf"] = new JsonArray(schema.DeepClone()),
            };
            var text = wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
            // Schemas register in a process-wide registry: every one needs its own base URI.
            var baseUri = new Uri($"https://contract.productcatalog.test/{Guid.NewGuid():N}");
            return JsonSchema.FromText(text, new BuildOptions(), baseUri);
        });

        using var json = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        var results = compiled.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .DefaultIfEmpty("invalid (no details)");
    }

    private static string Excerpt(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body);
        return text.Length <= 400 ? text : text[..400] + "...";
    }
}
