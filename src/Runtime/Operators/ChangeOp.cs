namespace StreamSql.Runtime.Operators;

/// <summary>What a row in a batch means: an insert, a delete, or the before/after halves of an update.</summary>
public enum ChangeOp : byte
{
    Insert,
    Delete,
    UpdateBefore,
    UpdateAfter,
}
