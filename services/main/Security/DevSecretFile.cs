namespace DaprChat.Main.Security;

/// <summary>
/// Development-only secrets (signing key, pepper, first admin's password) generated once into a git-ignored folder
/// (<c>{content root}/.keys</c> by default) when the <c>secrets</c> store has none.
/// </summary>
public static class DevSecretFile
{
    /// <summary>The file's content, created by <paramref name="create"/> on first use; returns whether this call created it.</summary>
    public static (string Value, bool Created) ReadOrCreate(string dir, string name, Func<string> create)
    {
        var path = Path.Combine(dir, name);
        var created = false;
        if (!File.Exists(path))
        {
            System.IO.Directory.CreateDirectory(dir);
            try
            {
                using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(stream);
                writer.Write(create());
                created = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another replica on this machine made it first; use theirs.
            }
        }

        return (File.ReadAllText(path), created);
    }

    public static string Directory(KeyOptions options, IHostEnvironment environment) =>
        options.DevDirectory ?? Path.Combine(environment.ContentRootPath, ".keys");

    public static bool Allowed(KeyOptions options, IHostEnvironment environment) => options.AllowDevKeys ?? environment.IsDevelopment();
}
