namespace StreamSql.SqlLogicTest;

public enum SltSortMode
{
    /// <summary>Rows are compared in the order the server returned them.</summary>
    NoSort,

    /// <summary>Expected and actual rows are sorted (ordinal compare of the rendered line) before comparing.</summary>
    RowSort,

    /// <summary>All individual values (whitespace separated tokens) of expected and actual output are sorted before comparing.</summary>
    ValueSort,
}
