using System.Runtime.CompilerServices;

// The group coordinator's state machine is internal; its unit tests drive it directly.
[assembly: InternalsVisibleTo("StreamSql.Server.Tests")]
