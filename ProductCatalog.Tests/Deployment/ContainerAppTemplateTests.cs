using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProductCatalog.Tests.Deployment;

/// <summary>
/// The hand-written azd Container App templates (<c>ProductCatalog.AppHost/infra/*.tmpl.yaml</c>) against
/// the manifest they replace azd's generated definition for: same variables, secrets as secrets, and
/// what the manifest cannot say (probes, replicas, scale rules).
/// </summary>
public sealed partial class ContainerAppTemplateTests
{
    private static readonly string[] s_probeTypes = ["Startup", "Liveness", "Readiness"];

    public static TheoryData<string> Projects => new([CatalogResourceNames.Api, CatalogResourceNames.Migrations]);

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Template_has_exactly_the_manifests_variables_with_the_same_literal_values(string resource)
    {
        var manifestEnv = (await AspireManifest.DefaultAsync()).Resource(resource)["env"]!.AsObject();
        var container = Container(Load(resource));
        var templateEnv = container["env"]!.AsArray().Select(e => e!.AsObject()).ToList();

        Assert.Equal(
            manifestEnv.Select(kv => kv.Key).Append("AZURE_CLIENT_ID").Order(StringComparer.Ordinal),
            templateEnv.Select(e => e["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var manifest = await AspireManifest.DefaultAsync();
        foreach (var (name, value) in manifestEnv)
        {
            var text = value!.GetValue<string>();
            var entry = templateEnv.Single(e => e["name"]!.GetValue<string>() == name);
            if (!text.Contains('{', StringComparison.Ordinal))
            {
                Assert.Equal(text, entry["value"]?.ToString());
            }
            else if (manifest.IsSecret(text))
            {
                // azd's rule: connection strings and anything holding a secret parameter become secrets.
                Assert.True(entry["secretRef"] is not null, $"{name} holds a secret ({text}): use a secretRef, not a value.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Connection_string_is_a_container_app_secret_never_a_plain_value(string resource)
    {
        var template = Load(resource);
        var env = Container(template)["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var connection = env.Single(e => e["name"]!.GetValue<string>() == "ConnectionStrings__catalogdb");
        Assert.Null(connection["value"]);
        var secretName = connection["secretRef"]!.GetValue<string>();
        var secret = template["properties"]!["configuration"]!["secrets"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == secretName)!;
        Assert.NotNull(secret["value"]);
        Assert.All(env.Select(e => e["value"]?.ToString() ?? ""), v => Assert.DoesNotContain("Password", v, StringComparison.OrdinalIgnoreCase));

        // The secret's value resolves like azd's own evaluation of the manifest in both publish modes.
        var raw = RawSecretValue(resource, "connectionstrings--catalogdb");
        var container = await AspireManifest.DefaultAsync();
        var volume = container.Resource(CatalogResourceNames.Postgres)["volumes"]![0]!["name"]!.GetValue<string>();
        Assert.Contains($"index .Env \"SERVICE_POSTGRES_VOLUME_{AzdVolumeName(volume)}_NAME\"", raw, StringComparison.Ordinal);
        Assert.Contains(ExpectedContainerConnectionString(container), raw, StringComparison.Ordinal);
        var external = await AspireManifest.GetAsync("external");
        Assert.Equal("{catalogdb.value}", external.Resource(CatalogResourceNames.CatalogDatabase)["connectionString"]!.GetValue<string>());
        Assert.Contains("{{ else }}{{ securedParameter \"catalogdb\" }}{{ end }}", raw, StringComparison.Ordinal);
    }

    //#if (events)
    [Fact]
    public async Task Messaging_connection_string_is_a_secret_that_resolves_like_azd_in_both_publish_modes()
    {
        var template = Load(CatalogResourceNames.Api);
        var env = Container(template)["env"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var connection = env.Single(e => e["name"]!.GetValue<string>() == "ConnectionStrings__messaging");
        Assert.Null(connection["value"]);
        Assert.Equal("connectionstrings--messaging", connection["secretRef"]!.GetValue<string>());

        var raw = RawSecretValue(CatalogResourceNames.Api, "connectionstrings--messaging");
        var container = await AspireManifest.DefaultAsync();
        var volume = container.Resource(CatalogResourceNames.Messaging)["volumes"]![0]!["name"]!.GetValue<string>();
        Assert.Contains($"index .Env \"SERVICE_MESSAGING_VOLUME_{AzdVolumeName(volume)}_NAME\"", raw, StringComparison.Ordinal);
        Assert.Contains(ExpectedMessagingConnectionString(container), raw, StringComparison.Ordinal);
        var external = await AspireManifest.GetAsync(postgresPublishMode: null, messagingPublishMode: "external");
        Assert.Equal("{messaging.value}", external.Resource(CatalogResourceNames.Messaging)["connectionString"]!.GetValue<string>());
        Assert.Contains("{{ else }}{{ securedParameter \"messaging\" }}{{ end }}", raw, StringComparison.Ordinal);
    }

    //#endif
    [Fact]
    public void Api_has_probes_on_alive_and_health_several_replicas_and_a_scale_rule()
    {
        var template = Load(CatalogResourceNames.Api);
        var container = Container(template);

        var probes = container["probes"]!.AsArray().ToDictionary(p => p!["type"]!.GetValue<string>(), p => p!);
        Assert.Equal("/alive", probes["Liveness"]["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/health", probes["Readiness"]["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/alive", probes["Startup"]["httpGet"]!["path"]!.GetValue<string>());
        // Readiness must outlast the app's own 5 s health-check timeout.
        Assert.True(probes["Readiness"]["timeoutSeconds"]!.GetValue<long>() > 5);

        var scale = template["properties"]!["template"]!["scale"]!;
        Assert.True(scale["minReplicas"]!.GetValue<long>() >= 2);
        Assert.True(scale["maxReplicas"]!.GetValue<long>() > scale["minReplicas"]!.GetValue<long>());
        Assert.NotEmpty(scale["rules"]!.AsArray());

        var ingress = template["properties"]!["configuration"]!["ingress"]!;
        Assert.True(ingress["external"]!.GetValue<bool>());
        Assert.False(ingress["allowInsecure"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Probes_replicas_and_resources_are_within_container_apps_limits(string resource)
    {
        var template = Load(resource);
        var container = Container(template);

        foreach (var probe in container["probes"]?.AsArray() ?? [])
        {
            Assert.InRange(probe!["initialDelaySeconds"]?.GetValue<long>() ?? 0, 0, 60);
            Assert.InRange(probe["periodSeconds"]!.GetValue<long>(), 1, 240);
            Assert.InRange(probe["timeoutSeconds"]!.GetValue<long>(), 1, 240);
            Assert.InRange(probe["failureThreshold"]!.GetValue<long>(), 1, 10);
            Assert.Contains(probe["type"]!.GetValue<string>(), s_probeTypes);
        }

        var scale = template["properties"]!["template"]!["scale"]!;
        Assert.InRange(scale["minReplicas"]!.GetValue<long>(), 0, 300);
        Assert.InRange(scale["maxReplicas"]!.GetValue<long>(), 1, 300);

        // Consumption plan pairs: 0.25 vCPU / 0.5Gi, 0.5 / 1Gi, ... memory = 2 x CPU.
        var cpu = container["resources"]!["cpu"]!.GetValue<double>();
        var memory = container["resources"]!["memory"]!.GetValue<string>();
        Assert.Equal($"{(cpu * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)}Gi", memory);
    }

    [Fact]
    public void Migration_worker_runs_as_exactly_one_replica_without_ingress()
    {
        var template = Load(CatalogResourceNames.Migrations);

        var scale = template["properties"]!["template"]!["scale"]!;
        Assert.Equal(1, scale["minReplicas"]!.GetValue<long>());
        Assert.Equal(1, scale["maxReplicas"]!.GetValue<long>());
        Assert.Null(template["properties"]!["configuration"]!["ingress"]);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Template_is_tagged_for_azd_with_its_resource_name(string resource)
    {
        var template = Load(resource);

        Assert.Equal(resource, template["tags"]!["azd-service-name"]!.GetValue<string>());
        Assert.Equal(resource, template["tags"]!["aspire-resource-name"]!.GetValue<string>());
        Assert.Equal(resource, Container(template)["name"]!.GetValue<string>());
    }

    private static string TemplatePath(string resource) => Path.Combine(RepositoryPaths.AppHostInfra, $"{resource}.tmpl.yaml");

    /// <summary>The template as YAML, azd's <c>{{ ... }}</c> placeholders replaced by sample values.</summary>
    internal static JsonObject Load(string resource)
    {
        var text = File.ReadAllText(TemplatePath(resource));
        text = TargetPort().Replace(text, "8080");
        text = Placeholder().Replace(text, "rendered");
        return YamlJson.Parse(text)!.AsObject();
    }

    internal static JsonObject Container(JsonObject template) =>
        template["properties"]!["template"]!["containers"]!.AsArray().Single()!.AsObject();

    private static string RawSecretValue(string resource, string secretName)
    {
        var line = File.ReadAllLines(TemplatePath(resource))
            .SkipWhile(l => !l.Contains($"name: {secretName}", StringComparison.Ordinal))
            .Skip(1).First();
        return line.Trim();
    }

    /// <summary>
    /// What azd makes of <c>{catalogdb.connectionString}</c> when PostgreSQL is the container: the
    /// server's binding host is its app name, the port its target port, and a secret parameter becomes
    /// <c>securedParameter</c> with dashes turned into underscores.
    /// </summary>
    private static string ExpectedContainerConnectionString(AspireManifest.Generated manifest)
    {
        var database = manifest.Resource(CatalogResourceNames.CatalogDatabase)["connectionString"]!.GetValue<string>();
        var server = manifest.Resource(CatalogResourceNames.Postgres);
        var port = server["bindings"]!["tcp"]!["targetPort"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var expanded = database.Replace("{postgres.connectionString}", server["connectionString"]!.GetValue<string>(), StringComparison.Ordinal)
            .Replace("{postgres.bindings.tcp.host}", CatalogResourceNames.Postgres, StringComparison.Ordinal)
            .Replace("{postgres.bindings.tcp.port}", port, StringComparison.Ordinal);
        return ParameterReference().Replace(expanded, m =>
        {
            var parameter = m.Groups[1].Value;
            Assert.True(manifest.Resource(parameter)["inputs"]!["value"]!["secret"]!.GetValue<bool>());
            return $"{{{{ securedParameter \"{parameter.Replace('-', '_')}\" }}}}";
        });
    }

    //#if (events)
    /// <summary>
    /// What azd makes of <c>{messaging.connectionString}</c> with the RabbitMQ container: host and
    /// port as for PostgreSQL; the URI-encoded password (an <c>annotated.string</c> over the secret
    /// parameter) is the parameter itself, since the generated password has no special characters.
    /// </summary>
    private static string ExpectedMessagingConnectionString(AspireManifest.Generated manifest)
    {
        var server = manifest.Resource(CatalogResourceNames.Messaging);
        var port = server["bindings"]!["tcp"]!["targetPort"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var encoded = manifest.Resource("messaging-password-uri-encoded");
        Assert.Equal("uri", encoded["filter"]!.GetValue<string>());
        Assert.False(manifest.Resource("messaging-password")["inputs"]!["value"]!["default"]!["generate"]!["special"]!.GetValue<bool>());
        var expanded = server["connectionString"]!.GetValue<string>()
            .Replace("{messaging-password-uri-encoded.value}", encoded["value"]!.GetValue<string>(), StringComparison.Ordinal)
            .Replace("{messaging.bindings.tcp.host}", CatalogResourceNames.Messaging, StringComparison.Ordinal)
            .Replace("{messaging.bindings.tcp.port}", port, StringComparison.Ordinal);
        return ParameterReference().Replace(expanded, m =>
        {
            var parameter = m.Groups[1].Value;
            Assert.True(manifest.Resource(parameter)["inputs"]!["value"]!["secret"]!.GetValue<bool>());
            return $"{{{{ securedParameter \"{parameter.Replace('-', '_')}\" }}}}";
        });
    }

    //#endif
    /// <summary>azd's output name for a volume: dots and dashes removed, upper case.</summary>
    private static string AzdVolumeName(string volume) =>
        volume.Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();

    [GeneratedRegex(@"\{\{ targetPortOrDefault \d+ \}\}")]
    private static partial Regex TargetPort();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{([a-z0-9-]+)\.value\}")]
    private static partial Regex ParameterReference();
}
