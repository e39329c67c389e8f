using System.Runtime.CompilerServices;

// The JSON format's fast path is internal; its tests compare it with the general path record by record.
[assembly: InternalsVisibleTo("StreamSql.Runtime.Tests")]
