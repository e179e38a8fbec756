namespace ProductCatalog.Tests.Unit;

public sealed class RabbitMQInstallationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pc-rmqinst-").FullName;

    [Fact]
    public void Debians_wrapper_on_PATH_is_skipped_for_the_real_scripts()
    {
        var sbin = Folder("sbin");
        var realBin = Folder("lib/rabbitmq/bin", "rabbitmq-server", "rabbitmq-script-wrapper");
        File.CreateSymbolicLink(Path.Combine(sbin, "rabbitmq-server"), Path.Combine(realBin, "rabbitmq-script-wrapper"));
        var erlang = Folder("erlang/bin", "epmd");

        var found = RabbitMQInstallation.Find(null, sbin, [realBin], [erlang]);

        Assert.NotNull(found);
        Assert.Equal(Path.Combine(realBin, "rabbitmq-server"), found.Server);
        Assert.Equal(Path.Combine(erlang, "epmd"), found.Epmd);
    }

    [Fact]
    public void A_PATH_entry_with_the_real_script_wins_over_the_known_folders()
    {
        var onPath = Folder("homebrew/sbin", "rabbitmq-server");
        var known = Folder("lib/rabbitmq/bin", "rabbitmq-server");
        var erlang = Folder("bin", "epmd");

        var found = RabbitMQInstallation.Find(null, string.Join(Path.PathSeparator, onPath, erlang), [known], []);

        Assert.Equal(onPath, found?.BinDirectory);
    }

    [Fact]
    public void The_explicit_folder_is_the_only_one_looked_at()
    {
        var known = Folder("lib/rabbitmq/bin", "rabbitmq-server", "epmd");
        var empty = Folder("empty");

        Assert.Null(RabbitMQInstallation.Find(empty, null, [known], [known]));
        Assert.Equal(known, RabbitMQInstallation.Find(known, null, [], [])?.BinDirectory);
    }

    [Fact]
    public void Without_epmd_there_is_no_installation()
    {
        var bin = Folder("lib/rabbitmq/bin", "rabbitmq-server");

        Assert.Null(RabbitMQInstallation.Find(null, null, [bin], [Folder("no-erlang")]));
    }

    private string Folder(string relative, params string[] files)
    {
        var dir = Path.Combine(_root, relative);
        Directory.CreateDirectory(dir);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(dir, file), "");
        }

        return dir;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
