using System.Globalization;

namespace StreamSql.Runtime.Queries;

/// <summary>A persistent query's committed source offsets: one small file per partition, replaced atomically.</summary>
public sealed class OffsetStore
{
    private readonly string _directory;

    public OffsetStore(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
    }

    public bool Exists(int partition) => File.Exists(PathOf(partition));

    public long Load(int partition)
    {
        var path = PathOf(partition);
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : throw new InvalidDataException($"corrupt offset file {path}: \"{text}\"");
    }

    public void Save(int partition, long offset)
    {
        var path = PathOf(partition);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64, FileOptions.WriteThrough))
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture));
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void Delete()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string PathOf(int partition) => Path.Combine(_directory, $"partition-{partition}.offset");
}
