namespace StreamSql.Planner.Catalog;

/// <summary>
/// Relations answered from the catalog itself rather than a topic (pg_catalog for PostgreSQL clients): finite rows computed
/// when a query binds, so they read like VALUES. The server supplies the implementation, since the contents are wire-specific.
/// </summary>
public interface ISystemRelations
{
    /// <summary>The relation's columns and current rows (CLR constants: int, long, bool, string, null), or null when it is not a system relation.</summary>
    SystemRelation? Find(string? schema, string name, CatalogStore catalog);
}
