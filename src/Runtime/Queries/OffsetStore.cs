using System.Globalization;

namespace StreamSql.Runtime.Queries;

/// <summary>A persistent query's committed source offsets: one small file per partition, replaced atomically.</summary>
public sealed class OffsetStore
{
    private readonly string _directory;
    private readonly bool _sync;

    /// <param name="sync">Whether a save is on stable storage when it returns (--fsync always) or only written to the OS.</param>
    public OffsetStore(string directory, bool sync = true)
    {
        _directory = directory;
        _sync = sync;
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

    public void Save(int partition, long offset) => WriteDurably(PathOf(partition), offset.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Records, before a batch's output is appended, which source partition and end offset it covers and where each sink
    /// partition ended: after a crash between the append and the offset commit, recovery knows how much output already landed.
    /// </summary>
    /// <remarks>
    /// The file holds "partition end sinkEnd0 sinkEnd1 ..."; a join batch appends " | leftStart rightPartition rightStart rightEnd"
    /// (a single-input intent reads as before).
    /// </remarks>
    public void SaveIntent(OutputIntent intent)
    {
        var text = string.Join(' ', [Text(intent.SourcePartition), Text(intent.EndOffset), .. intent.SinkEnds.Select(Text)]);
        if (intent.Join is { } join)
        {
            text += " | " + string.Join(' ', Text(join.LeftStart), Text(join.RightPartition), Text(join.RightStart), Text(join.RightEnd));
        }

        WriteDurably(IntentPath, text);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public OutputIntent? LoadIntent()
    {
        if (!File.Exists(IntentPath))
        {
            return null;
        }

        var sections = File.ReadAllText(IntentPath).Split('|');
        var numbers = Numbers(sections[0]);
        if (numbers.Length < 2 || sections.Length > 2)
        {
            throw new InvalidDataException($"corrupt output intent file {IntentPath}");
        }

        JoinIntent? join = null;
        if (sections.Length == 2)
        {
            var j = Numbers(sections[1]);
            join = j.Length == 4 ? new JoinIntent(j[0], (int)j[1], j[2], j[3]) : throw new InvalidDataException($"corrupt output intent file {IntentPath}");
        }

        return new OutputIntent((int)numbers[0], numbers[1], numbers[2..], join);
    }

    private long[] Numbers(string text)
    {
        try
        {
            return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => long.Parse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"corrupt output intent file {IntentPath}");
        }
    }

    public void ClearIntent() => File.Delete(IntentPath);

    private string IntentPath => Path.Combine(_directory, "output.intent");

    private void WriteDurably(string path, string text)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64, _sync ? FileOptions.WriteThrough : FileOptions.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: _sync);
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
