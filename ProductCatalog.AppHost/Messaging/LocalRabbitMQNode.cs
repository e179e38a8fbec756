using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ProductCatalog.AppHost.Messaging;

/// <summary>
/// One local RabbitMQ node: its folder (database, logs, configuration, Erlang cookie), its node
/// name and ports. Everything the Debian package would take from /etc, /var/lib/rabbitmq and the
/// default ports is redirected here, so two nodes (two AppHosts, two test runs) never meet.
/// </summary>
internal sealed class LocalRabbitMQNode
{
    public const string ServiceUser = "rabbitmq";

    private readonly RabbitMQInstallation _installation;
    private readonly ServiceAccount _account = new(ServiceUser, "Debian's rabbitmq-server package");

    private readonly bool _temporary;
    private readonly string _cookie;
    private readonly string? _joins;

    /// <summary>
    /// A node with its own folder and ports. <paramref name="cookie"/> (the Erlang cookie) is the
    /// same for every node of one cluster and secret to the rest; <paramref name="joins"/> is the
    /// node a blank node joins at its first boot, null for the first or only node.
    /// </summary>
    public LocalRabbitMQNode(
        string resourceName, RabbitMQInstallation installation, string root, bool temporary, int managementPort, int epmdPort, string cookie, string? joins)
    {
        _installation = installation;
        _temporary = temporary;
        _cookie = cookie;
        _joins = joins;
        EpmdPort = epmdPort;
        Root = root;
        ManagementPort = managementPort;
        // The database (mnesia) records the node name: a kept folder needs the same name every run.
        var id = temporary
            ? Guid.NewGuid().ToString("N")[..8]
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..8];
        NodeName = $"{resourceName}-{id}@localhost";
    }

    public string Root { get; }

    public string NodeName { get; }

    public int ManagementPort { get; }

    /// <summary>Erlang distribution (node-to-node and CLI tools), loopback only.</summary>
    public int DistributionPort { get; } = LocalServerHosting.FreeLoopbackPort();

    /// <summary>The app's own epmd, so its nodes never register with (or stop) another app's.</summary>
    public int EpmdPort { get; }

    private string ConfigFile => Path.Combine(Root, "rabbitmq.conf");

    /// <summary>The node's operating-system process (the Erlang VM), written by the node at boot: what a crash kills.</summary>
    public string PidFile => Path.Combine(Root, "rabbitmq.pid");

    private string DefinitionsFile => Path.Combine(Root, "definitions.json");

    /// <summary>
    /// The server's environment; the AMQP port comes from the endpoint (<c>RABBITMQ_NODE_PORT</c>).
    /// Nothing secret: the password reaches the broker only as a salted hash in the definitions file.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["HOME"] = Path.Combine(Root, "home"), // the Erlang cookie
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["ERL_EPMD_PORT"] = EpmdPort.ToString(CultureInfo.InvariantCulture),
        // No Erlang VM of the node starts a port mapper of its own: one started while the shared
        // mapper was stopping with the app (a node's shutdown) outlived the run as a daemon.
        ["ERL_ZFLAGS"] = "-start_epmd false",
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Root, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Root, "log"),
        ["RABBITMQ_LOGS"] = "-", // to stdout: the dashboard's console log
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Root, "enabled_plugins"),
        ["RABBITMQ_CONFIG_FILE"] = ConfigFile,
        ["RABBITMQ_PID_FILE"] = PidFile,
        // Files that do not exist, so nothing from /etc/rabbitmq applies.
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Root, "advanced.config"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Root, "rabbitmq-env.conf"),
    };

    /// <summary>
    /// The node as DCP starts it: RabbitMQ's own SIGTERM handling is its clean stop, so the launcher
    /// only switches to the service user.
    /// </summary>
    public LocalServerLaunch Launch(string launcherPath, IDistributedApplicationBuilder builder) => new(
        new ServerLauncher(launcherPath, _account, _installation.Server, stopSignal: null),
        [],
        "RABBITMQ_NODE_PORT",
        (password, _, _, ct) => PrepareAsync(password, ct),
        $"{builder.DescribeData(_installation.Server, Root, _temporary)}, node {NodeName} (epmd port {EpmdPort}), management port {ManagementPort}");

    /// <summary>Before every start: the folders, the plugin list, the configuration and the user definitions.</summary>
    private async Task PrepareAsync(string password, CancellationToken ct)
    {
        await _account.CreateOwnedDirectoryAsync(Root, ct);
        foreach (var folder in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(Root, folder));
        }

        await File.WriteAllTextAsync(Path.Combine(Root, "enabled_plugins"), "[rabbitmq_management].\n", ct);
        await File.WriteAllTextAsync(ConfigFile, Configuration(ManagementPort, DefinitionsFile, _joins), ct);
        await _account.WritePrivateFileAsync(Path.Combine(Root, "home", ".erlang.cookie"), _cookie, ct);

        // Imported on every boot, so a kept folder follows the current secret (user secrets can be
        // reset), as the PostgreSQL superuser password does.
        await _account.WritePrivateFileAsync(DefinitionsFile, Definitions(password, RandomNumberGenerator.GetBytes(4)), ct);
        await _account.ChownAsync(Root, ct);
    }

    /// <summary>
    /// rabbitmq.conf. A joining node finds the cluster through classic peer discovery: on its first
    /// (blank) boot it joins <paramref name="joins"/>, as <c>rabbitmqctl join_cluster</c> would, but
    /// before it serves anything, so there is no stop_app/join/start_app step racing the health
    /// checks; a node that already belongs to the cluster ignores it.
    /// </summary>
    internal static string Configuration(int managementPort, string definitionsFile, string? joins) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            definitions.import_backend = local_filesystem
            definitions.local.path = {definitionsFile}

            """)
        + (joins is null ? "" : $"""
            cluster_formation.peer_discovery_backend = classic_config
            cluster_formation.classic_config.nodes.1 = {joins}

            """);

    /// <summary>The user, its administrator tag and full rights on "/", as RabbitMQ's definitions JSON.</summary>
    internal static string Definitions(string password, byte[] salt) =>
        new JsonObject
        {
            ["users"] = new JsonArray(new JsonObject
            {
                ["name"] = LocalRabbitMQServerResource.UserName,
                ["password_hash"] = PasswordHash(password, salt),
                ["hashing_algorithm"] = "rabbit_password_hashing_sha256",
                ["tags"] = new JsonArray("administrator"),
            }),
            ["vhosts"] = new JsonArray(new JsonObject { ["name"] = "/" }),
            ["permissions"] = new JsonArray(new JsonObject
            {
                ["user"] = LocalRabbitMQServerResource.UserName,
                ["vhost"] = "/",
                ["configure"] = ".*",
                ["write"] = ".*",
                ["read"] = ".*",
            }),
        }.ToJsonString();

    /// <summary>rabbit_password_hashing_sha256: base64(salt ++ SHA-256(salt ++ UTF-8 password)), 4-byte salt.</summary>
    internal static string PasswordHash(string password, byte[] salt) =>
        Convert.ToBase64String([.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)])]);
}
