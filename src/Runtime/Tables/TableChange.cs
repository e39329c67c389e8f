using StreamSql.Runtime.Rows;

namespace StreamSql.Runtime.Tables;

/// <summary>One change of a table's row: Before null for an insert, After null for a delete, both for an update.</summary>
public readonly record struct TableChange(Value[]? Before, Value[]? After);
