namespace StreamSql.Runtime.Topics;

/// <summary>
/// A reader whose records are cheap to make but were a large share of what a query allocated per record (a generated
/// topic's: an object per event). A consumer that is done with a batch's records gives them back, and the reader hands
/// the same objects out again; records never given back are simply collected.
/// </summary>
public interface IRecyclingPartitionReader : IPartitionReader
{
    /// <summary>Takes back records this reader handed out; the caller keeps no reference to them.</summary>
    void Recycle(List<TopicRecord> records);
}
