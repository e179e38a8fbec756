namespace ProductCatalog.Tests.Unit;

public sealed class PostgresInstallationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pc-pginstall-").FullName;

    [Fact]
    public void Path_entry_with_both_programs_wins()
    {
        var onPath = MakeBin("path-bin");
        var versioned = Path.Combine(_root, "lib");
        MakeBin(Path.Combine("lib", "16", "bin"));

        var found = PostgresInstallation.Find(null, onPath, [versioned]);

        Assert.Equal(onPath, found?.BinDirectory);
    }

    [Fact]
    public void Path_entry_with_only_one_program_is_skipped()
    {
        var partial = Directory.CreateDirectory(Path.Combine(_root, "partial")).FullName;
        File.WriteAllText(Path.Combine(partial, "postgres"), "");
        var versioned = Path.Combine(_root, "lib");
        var v15 = MakeBin(Path.Combine("lib", "15", "bin"));

        var found = PostgresInstallation.Find(null, partial, [versioned]);

        Assert.Equal(v15, found?.BinDirectory);
    }

    [Fact]
    public void Newest_major_version_wins_numerically()
    {
        var versioned = Path.Combine(_root, "lib");
        MakeBin(Path.Combine("lib", "9", "bin"));
        MakeBin(Path.Combine("lib", "15", "bin"));
        var v16 = MakeBin(Path.Combine("lib", "16", "bin"));
        Directory.CreateDirectory(Path.Combine(versioned, "17")); // no binaries: skipped

        var found = PostgresInstallation.Find(null, "", [versioned]);

        Assert.Equal(v16, found?.BinDirectory);
    }

    [Fact]
    public void Homebrew_style_folders_are_recognised()
    {
        var opt = Path.Combine(_root, "opt");
        MakeBin(Path.Combine("opt", "postgresql@14", "bin"));
        var v16 = MakeBin(Path.Combine("opt", "postgresql@16", "bin"));
        MakeBin(Path.Combine("opt", "node", "bin"));

        var found = PostgresInstallation.Find(null, null, [opt]);

        Assert.Equal(v16, found?.BinDirectory);
    }

    [Fact]
    public void Explicit_folder_is_used_only_if_complete()
    {
        var bin = MakeBin("explicit");
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;

        Assert.Equal(bin, PostgresInstallation.Find(bin, null, [])?.BinDirectory);
        Assert.Null(PostgresInstallation.Find(empty, bin, []));
    }

    [Fact]
    public void Nothing_found_is_null()
    {
        Assert.Null(PostgresInstallation.Find(null, Path.Combine(_root, "nowhere"), [Path.Combine(_root, "missing")]));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MakeBin(string relative)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, relative)).FullName;
        File.WriteAllText(Path.Combine(dir, OperatingSystem.IsWindows() ? "initdb.exe" : "initdb"), "");
        File.WriteAllText(Path.Combine(dir, OperatingSystem.IsWindows() ? "postgres.exe" : "postgres"), "");
        return dir;
    }
}
