namespace StreamSql.Parser.Errors;

/// <summary>Every SQLSTATE StreamSql reports, in one place (PostgreSQL's codes).</summary>
public static class SqlState
{
    public const string SuccessfulCompletion = "00000";
    public const string FeatureNotSupported = "0A000";
    public const string CardinalityViolation = "21000";
    public const string DataException = "22000";
    public const string NumericValueOutOfRange = "22003";
    public const string InvalidDatetimeFormat = "22007";
    public const string DatetimeFieldOverflow = "22008";
    public const string IntervalFieldOverflow = "22015";
    public const string DivisionByZero = "22012";
    public const string InvalidArgumentForLogarithm = "2201E";
    public const string InvalidArgumentForPower = "2201F";
    public const string InvalidTextRepresentation = "22P02";
    public const string InvalidParameterValue = "22023";
    public const string NullValueNotAllowed = "22004";
    public const string StringDataRightTruncation = "22001";
    public const string SubstringError = "22011";
    public const string InvalidEscapeSequence = "22025";
    public const string InvalidBinaryRepresentation = "22P03";
    public const string CharacterNotInRepertoire = "22021";
    public const string InvalidAuthorizationSpecification = "28000";
    public const string InvalidPassword = "28P01";
    public const string ActiveSqlTransaction = "25001";
    public const string NoActiveSqlTransaction = "25P01";
    public const string InFailedSqlTransaction = "25P02";
    public const string InvalidSqlStatementName = "26000";
    public const string InvalidCursorName = "34000";
    public const string DuplicatePreparedStatement = "42P05";
    public const string DuplicateCursor = "42P03";
    public const string UndefinedParameter = "42P02";
    public const string AmbiguousParameter = "42P08";
    public const string IndeterminateDatatype = "42P18";
    public const string SyntaxError = "42601";
    public const string DuplicateColumn = "42701";
    public const string UndefinedColumn = "42703";
    public const string UndefinedTable = "42P01";
    public const string UndefinedFunction = "42883";
    public const string UndefinedObject = "42704";
    public const string DuplicateTable = "42P07";
    public const string DuplicateObject = "42710";
    public const string AmbiguousColumn = "42702";
    public const string DuplicateAlias = "42712";
    public const string GroupingError = "42803";
    public const string DatatypeMismatch = "42804";
    public const string CannotCoerce = "42846";
    public const string InvalidColumnReference = "42P10";
    public const string InvalidTableDefinition = "42P16";
    public const string NotNullViolation = "23502";
    public const string WrongObjectType = "42809";
    public const string ProgramLimitExceeded = "54000";
    public const string StatementTooComplex = "54001";
    public const string ObjectInUse = "55006";

    public const string ObjectNotInPrerequisiteState = "55000";
    public const string CantChangeRuntimeParam = "55P02";
    public const string QueryCanceled = "57014";
    public const string AdminShutdown = "57P01";
    public const string ProtocolViolation = "08P01";
    public const string TooManyConnections = "53300";
    public const string InternalError = "XX000";
    public const string DataCorrupted = "XX001";
}
