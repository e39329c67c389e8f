using System.Globalization;

namespace StreamSql.Runtime.Queries;

/// <summary>
/// A persistent query's committed source offsets and output intent, appended to its progress log (<see cref="ProgressLog"/>).
/// Directories written by earlier versions hold a file per partition offset and one for the intent; those are still
/// read for what the log does not know yet.
/// </summary>
public sealed class OffsetStore
{
    private readonly string _directory;
    private readonly Func<Topics.ITransactionalOutput?>? _transactions;
    private readonly ProgressLog _log;

    /// <param name="sync">Whether a save is on stable storage when it returns (--fsync always) or only written to the OS.</param>
    /// <param name="transactions">Kafka mode: opens the query's transactional output, which commits its offsets with its output.</param>
    public OffsetStore(string directory, bool sync = true, Func<Topics.ITransactionalOutput?>? transactions = null)
    {
        _directory = directory;
        _transactions = transactions;
        Directory.CreateDirectory(directory);
        _log = new ProgressLog(Path.Combine(directory, "progress.log"), sync);
    }

    /// <summary>
    /// Kafka mode: the offset committed with the query's last transaction for a (virtual) partition, or null. The local
    /// file is then only a copy saved after each commit; the larger of the two is where the partition resumes.
    /// </summary>
    public Func<int, long?>? CommittedElsewhere { get; set; }

    /// <summary>The query's transactional output (Kafka mode), or null: the embedded scheme of intents and fences is used.</summary>
    public Topics.ITransactionalOutput? OpenTransactions() => _transactions?.Invoke();

    public bool Exists(int partition) =>
        _log.TryGetOffset(partition, out _) || File.Exists(PathOf(partition)) || CommittedElsewhere?.Invoke(partition) is not null;

    public long Load(int partition)
    {
        var committed = CommittedElsewhere?.Invoke(partition) ?? 0;
        if (_log.TryGetOffset(partition, out var logged))
        {
            return Math.Max(logged, committed);
        }

        var path = PathOf(partition);
        if (!File.Exists(path))
        {
            return committed;
        }

        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? Math.Max(offset, committed)
            : throw new InvalidDataException($"corrupt offset file {path}: \"{text}\"");
    }

    public void Save(int partition, long offset) => _log.SaveOffset(partition, offset);

    /// <summary>
    /// Commits an offset with the next record saved (an intent, another commit) or by <see cref="SavePending"/>, whichever
    /// comes first. For a batch without output: losing its commit in a crash only means reading its records again.
    /// </summary>
    public void SaveLater(int partition, long offset) => _log.SaveOffsetLater(partition, offset);

    /// <summary>Commits the offsets saved with <see cref="SaveLater"/> that are not yet (before a checkpoint, periodically, at stop).</summary>
    public void SavePending() => _log.SavePending();

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

        _log.SaveIntent(text);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public OutputIntent? LoadIntent()
    {
        var text = _log.KnowsIntent ? _log.Intent : File.Exists(IntentPath) ? File.ReadAllText(IntentPath) : null;
        if (text is null)
        {
            return null;
        }

        var sections = text.Split('|');
        var numbers = Numbers(sections[0]);
        if (numbers.Length < 2 || sections.Length > 2)
        {
            throw new InvalidDataException($"corrupt output intent in {_directory}");
        }

        JoinIntent? join = null;
        if (sections.Length == 2)
        {
            var j = Numbers(sections[1]);
            join = j.Length == 4 ? new JoinIntent(j[0], (int)j[1], j[2], j[3]) : throw new InvalidDataException($"corrupt output intent in {_directory}");
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
            throw new InvalidDataException($"corrupt output intent in {_directory}");
        }
    }

    public void ClearIntent()
    {
        _log.ClearIntent();

        // An earlier version's intent file: the log now says there is none.
        File.Delete(IntentPath);
    }

    private string IntentPath => Path.Combine(_directory, "output.intent");

    public void Delete()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string PathOf(int partition) => Path.Combine(_directory, $"partition-{partition}.offset");
}
