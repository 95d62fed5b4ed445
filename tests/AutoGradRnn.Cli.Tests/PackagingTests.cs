namespace AutoGradRnn.Cli.Tests;

/// <summary>The way a user gets the tool: pack the library and the CLI, install the tool from the folder, run it.</summary>
public class PackagingTests
{
    [Fact]
    public void The_packed_tool_installs_and_runs()
    {
        using var dir = new TempDir();
        var feed = dir.File("feed");
        foreach (var project in new[] { "src/AutoGradRnn/AutoGradRnn.csproj", "src/AutoGradRnn.Cli/AutoGradRnn.Cli.csproj" })
        {
            var pack = Cli.Process("dotnet", $"pack {project} -c Release -o \"{feed}\" -nologo -v quiet -p:ContinuousIntegrationBuild=true", Cli.Root);
            Assert.True(pack.Exit == 0, pack.Out + pack.Err);
        }
        var files = Directory.GetFiles(feed).Select(Path.GetFileName).ToArray();
        Assert.Contains("AutoGradRnn.0.1.0.nupkg", files);
        Assert.Contains("AutoGradRnn.0.1.0.snupkg", files);
        Assert.Contains("AutoGradRnn.Cli.0.1.0.nupkg", files);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, "AutoGradRnn.0.1.0.nupkg")))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("lib/net10.0/AutoGradRnn.dll", entries);
            Assert.Contains("lib/net10.0/AutoGradRnn.xml", entries);       // XML docs
            Assert.Contains("README.md", entries);
        }

        var tools = dir.File("tools");
        var install = Cli.Process("dotnet", $"tool install AutoGradRnn.Cli --version 0.1.0 --tool-path \"{tools}\" --add-source \"{feed}\"", dir.Path);
        Assert.True(install.Exit == 0, install.Out + install.Err);
        var exe = Path.Combine(tools, "autogradrnn");
        var help = Cli.Process(exe, "--help", dir.Path);
        Assert.Equal(0, help.Exit);
        Assert.Contains("train-char", help.Out);
        var check = Cli.Process(exe, "gradcheck", dir.Path);
        Assert.True(check.Exit == 0, check.Out + check.Err);
        Assert.Contains("gradient checks passed", check.Out);
        var bad = Cli.Process(exe, "forecast --csv missing.csv", dir.Path);
        Assert.Equal(2, bad.Exit);
        Assert.Equal("autogradrnn: text file 'missing.csv' does not exist", bad.Err.Trim());
    }
}
