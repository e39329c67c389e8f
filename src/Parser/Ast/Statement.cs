namespace StreamSql.Parser.Ast;

/// <summary>A complete SQL statement; Text is its source, used for the command log and SHOW QUERIES.</summary>
public abstract record Statement(int Position) : AstNode(Position)
{
    public string Text { get; init; } = "";
}
