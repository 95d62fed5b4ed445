namespace AutoGradRnn.Reliability.Tests;

/// <summary>
/// A child process saves checkpoint versions 1, 2, 3, … in a loop and is killed with SIGKILL at a random moment, 60
/// times. After every kill the checkpoint on disk must load and equal one complete saved version: never a torn,
/// missing or mixed file.
/// </summary>
[Collection("processes")]
public class CrashSafetyTests
{
    [Fact]
    public void Killing_a_process_mid_save_never_loses_or_corrupts_the_checkpoint()
    {
        using var dir = new TempDir();
        var path = dir.File("run.safetensors");
        var rng = new Rng(20261121);
        var template = Probe.Version(0);
        int kills = 0, highest = 0;
        for (int attempt = 0; attempt < 60; attempt++)
        {
            using var child = Repo.StartProbe("save-loop", path);
            // Wait until at least one more version is on disk, then a random extra delay, then SIGKILL.
            int printed = 0;
            while (printed == 0 && child.StandardOutput.ReadLine() is { } line) printed = int.Parse(line);
            Thread.Sleep(rng.NextInt(120));
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            kills++;

            var loaded = Checkpoint<float>.Load(path, template);
            int version = int.Parse(Checkpoint<float>.Metadata(path)["version"]);
            Assert.True(version >= printed, $"attempt {attempt}: the file holds version {version}, older than the {printed} the child had already saved");
            var expected = Probe.Version(version);
            Assert.Equal(expected.A.ToArray(), loaded.A.ToArray());
            Assert.Equal(expected.B.ToArray(), loaded.B.ToArray());
            highest = Math.Max(highest, version);
        }
        Assert.Equal(60, kills);
        // Temporary files of interrupted saves may stay behind (a rename never happened); the checkpoint itself is whole.
        Assert.True(Directory.GetFiles(dir.Path, "run.safetensors").Length == 1);
    }
}
