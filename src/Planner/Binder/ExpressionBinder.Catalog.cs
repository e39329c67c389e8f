using System.Globalization;
using System.Text;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Functions;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>
/// What PostgreSQL clients write in catalog queries: casts to the OID alias types (regclass, regtype, regproc,
/// regnamespace), ARRAY(subquery) and op ANY (array). Arrays are carried as their PostgreSQL text form ('{a,b}').
/// </summary>
public sealed partial class ExpressionBinder
{
    /// <summary>
    /// x::regclass (regtype, regproc, regnamespace) is the object's name, as PostgreSQL prints these types: a name is checked
    /// and returned in its canonical form, an OID becomes the name of that object (its number when there is none).
    /// </summary>
    private BoundExpression BindObjectIdentifierCast(CastExpression cast, ObjectIdentifierKind kind)
    {
        var operand = Bind(cast.Operand);
        var objects = ObjectIdentifiers.Objects(kind, _catalog, cast.Position);
        switch (operand)
        {
            case BoundLiteral { Value: null }:
                return new BoundLiteral(null, SqlType.Varchar);
            case BoundLiteral { Value: string text, Type.Kind: SqlTypeKind.Unknown or SqlTypeKind.Varchar }:
                var oid = ObjectIdentifiers.Lookup(kind, objects, text, cast.Operand.Position);
                return new BoundLiteral(objects.FirstOrDefault(o => o.Oid == oid).Name ?? oid.ToString(CultureInfo.InvariantCulture), SqlType.Varchar);
            case BoundLiteral { Value: var value, Type.IsInteger: true }:
                var number = System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return new BoundLiteral(objects.FirstOrDefault(o => o.Oid == number).Name ?? number.ToString(CultureInfo.InvariantCulture), SqlType.Varchar);
            case { Type.IsInteger: true }:
                // An OID column: its object's name, from the objects there are as the statement binds.
                var key = Coercion.Convert(operand, SqlType.BigInt, cast.Operand.Position);
                return new BoundCase(
                    objects.Select(o => new BoundWhen(new BoundBinary(BinaryOperator.Equal, key, new BoundLiteral(o.Oid, SqlType.BigInt), SqlType.Boolean), new BoundLiteral(o.Name, SqlType.Varchar))).ToList(),
                    Coercion.Convert(operand, SqlType.Varchar, cast.Operand.Position),
                    SqlType.Varchar);
            case { Type.Kind: SqlTypeKind.Varchar }:
                throw SqlException.NotSupported($"a cast of a text column to {cast.Type.Name}", cast.Position);
            default:
                throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {operand.Type.DisplayName} to {cast.Type.Name}", cast.Position);
        }
    }

    /// <summary>x::regclass used as a number ('name'::regclass::oid, attrelid = 'name'::regclass): the object's OID.</summary>
    private BoundExpression BindObjectIdentifierOid(CastExpression cast, ObjectIdentifierKind kind)
    {
        var operand = Bind(cast.Operand);
        switch (operand)
        {
            case BoundLiteral { Value: null }:
                return new BoundLiteral(null, SqlType.Int);
            case BoundLiteral { Value: string text, Type.Kind: SqlTypeKind.Unknown or SqlTypeKind.Varchar }:
                return new BoundLiteral((int)ObjectIdentifiers.Lookup(kind, ObjectIdentifiers.Objects(kind, _catalog, cast.Position), text, cast.Operand.Position), SqlType.Int);
            case { Type.IsInteger: true }:
                return Coercion.Convert(operand, SqlType.Int, cast.Operand.Position);
            case { Type.Kind: SqlTypeKind.Varchar }:
                throw SqlException.NotSupported($"a cast of a text column to {cast.Type.Name}", cast.Position);
            default:
                throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {operand.Type.DisplayName} to {cast.Type.Name}", cast.Position);
        }
    }

    /// <summary>The operands of a binary operator; a regclass (regtype, ...) cast compared with a number stands for its OID, as in PostgreSQL.</summary>
    private (BoundExpression Left, BoundExpression Right) BindComparedOperands(BinaryExpression binary)
    {
        var isComparison = binary.Operator is BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual
            or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.IsDistinctFrom or BinaryOperator.IsNotDistinctFrom;
        if (isComparison && IsObjectIdentifierCast(binary.Right, out var rightKind))
        {
            var left = Bind(binary.Left);
            if (left.Type.IsInteger)
            {
                return (left, BindObjectIdentifierOid((CastExpression)binary.Right, rightKind));
            }

            return (left, Bind(binary.Right));
        }

        if (isComparison && IsObjectIdentifierCast(binary.Left, out var leftKind))
        {
            var right = Bind(binary.Right);
            if (right.Type.IsInteger)
            {
                return (BindObjectIdentifierOid((CastExpression)binary.Left, leftKind), right);
            }

            return (Bind(binary.Left), right);
        }

        return (Bind(binary.Left), Bind(binary.Right));
    }

    private static bool IsObjectIdentifierCast(Expression expression, out ObjectIdentifierKind kind)
    {
        if (expression is CastExpression { Type: var type } && ObjectIdentifiers.Kind(type.Name) is { } found)
        {
            kind = found;
            return true;
        }

        kind = default;
        return false;
    }

    /// <summary>ARRAY(subquery): the subquery runs once; its values become an array, in PostgreSQL's text form ('{a,b}'; '{}' when it has no rows).</summary>
    private BoundExpression BindArraySubquery(ArraySubquery array)
    {
        var (columns, rows) = Evaluate(array.Query, "ARRAY(subquery)", array.Position);
        if (columns.Count != 1)
        {
            throw new SqlException(SqlState.SyntaxError, "subquery must return only one column", array.Position);
        }

        return new BoundLiteral(ArrayText.Format(rows.Select(r => r[0])), SqlType.Varchar);
    }

    /// <summary>
    /// x op ANY (array), over a constant array (a literal such as '{a,b}', or ARRAY(subquery)): x op e1 OR x op e2 ...;
    /// FALSE for an empty array and NULL for a NULL one, as in PostgreSQL.
    /// </summary>
    private BoundExpression BindQuantifiedComparison(QuantifiedComparison comparison)
    {
        var array = Bind(comparison.Array);
        if (array is not BoundLiteral { Type.Kind: SqlTypeKind.Unknown or SqlTypeKind.Varchar } literal)
        {
            throw SqlException.NotSupported($"{comparison.Operator.ToSql()} ANY over a value that is not a constant array", comparison.Position);
        }

        if (literal.Value is not string text)
        {
            return new BoundLiteral(null, SqlType.Boolean);
        }

        var elements = ArrayText.Parse(text, comparison.Array.Position);
        if (elements.Count == 0)
        {
            return new BoundLiteral(false, SqlType.Boolean);
        }

        BoundExpression? result = null;
        foreach (var element in elements)
        {
            Expression value = element is null ? new NullLiteral(comparison.Array.Position) : new StringLiteral(comparison.Array.Position, element);
            var one = BindBinary(new BinaryExpression(comparison.Position, comparison.Operator, comparison.Left, value));
            result = result is null ? one : new BoundBinary(BinaryOperator.Or, result, one, SqlType.Boolean);
        }

        return result!;
    }

    /// <summary>
    /// Whether a correlated subquery reads FROM unnest(outer value) where that value is NULL in every row of the outer FROM
    /// (catalog relations only, read at bind time): then it has no rows for any outer row (psql's \d+ reads reloptions so).
    /// </summary>
    private bool UnnestsOnlyNulls(Query query)
    {
        if (_from is null || _subqueries is null || !_from.All(IsCatalogSource)
            || query.Body is not QuerySpecification { GroupBy.Count: 0, Having: null } spec
            || spec.Items.Any(i => i is not SelectExpression { Expression: var e } || AstExpressionRewriter.Any(e, x => x is FunctionCall f && (f.Star || FunctionRegistry.IsAggregate(f.Name)))))
        {
            return false;
        }

        foreach (var relation in spec.From)
        {
            if (relation is TableFunctionRelation { Name: "unnest", Arguments: [var argument] })
            {
                var probe = new Query(query.Position, [],
                    new QuerySpecification(spec.Position, false, [new SelectExpression(spec.Position, new IntegerLiteral(spec.Position, "1"), null)], _from, null,
                        new IsNullExpression(argument.Position, argument, true), [], null, []),
                    [], EmitMode.None, 1, null);
                try
                {
                    if (_subqueries.Evaluate(probe).Rows.Count == 0)
                    {
                        return true;
                    }
                }
                catch (SqlException)
                {
                    return false;
                }
            }
        }

        return false;
    }

    /// <summary>A FROM item made of catalog relations only (joins of them included).</summary>
    internal static bool IsCatalogSource(FromRelation relation) => relation switch
    {
        JoinRelation join => IsCatalogSource(join.Left) && IsCatalogSource(join.Right),
        _ => IsCatalogRelation(relation),
    };
}

/// <summary>The OID alias types: which catalog each one names objects of.</summary>
public enum ObjectIdentifierKind
{
    Class,
    Type,
    Procedure,
    Namespace,
}

/// <summary>Names and OIDs of catalog objects, read from the system relations (pg_class, pg_type, pg_proc, pg_namespace).</summary>
internal static class ObjectIdentifiers
{
    public static ObjectIdentifierKind? Kind(string typeName) => typeName switch
    {
        "regclass" => ObjectIdentifierKind.Class,
        "regtype" => ObjectIdentifierKind.Type,
        "regproc" => ObjectIdentifierKind.Procedure,
        "regnamespace" => ObjectIdentifierKind.Namespace,
        _ => null,
    };

    /// <summary>Every object of the kind: its OID and its name as the type prints it (format_type's names for regtype).</summary>
    public static IReadOnlyList<(long Oid, string Name)> Objects(ObjectIdentifierKind kind, Catalog.CatalogStore? catalog, int position)
    {
        var relation = kind switch
        {
            ObjectIdentifierKind.Class => "pg_class",
            ObjectIdentifierKind.Type => "pg_type",
            ObjectIdentifierKind.Procedure => "pg_proc",
            _ => "pg_namespace",
        };
        var system = catalog?.SystemRelations?.Find("pg_catalog", relation, catalog)
            ?? throw SqlException.NotSupported($"type {TypeName(kind)} without a catalog", position);
        return system.Rows
            .Select(r => (System.Convert.ToInt64(r[0], CultureInfo.InvariantCulture), kind == ObjectIdentifierKind.Type ? TypeDisplayName((string)r[1]!) : (string)r[1]!))
            .ToList();
    }

    /// <summary>The OID of the object a name (as text: 'name', '"Name"', 'public.name') denotes; PostgreSQL's errors when there is none.</summary>
    public static long Lookup(ObjectIdentifierKind kind, IReadOnlyList<(long Oid, string Name)> objects, string text, int position)
    {
        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            // A number is taken as the OID itself, as PostgreSQL's input functions do.
            return number;
        }

        if (kind == ObjectIdentifierKind.Type)
        {
            var typeName = Unqualify(trimmed.ToLowerInvariant(), "pg_catalog");
            if (typeName is null)
            {
                throw new SqlException("3F000", $"schema \"{Identifier(trimmed[..trimmed.LastIndexOf('.')])}\" does not exist", position);
            }

            var type = typeName == "text" ? "text" : TypeResolver.TryResolve(typeName) is { } resolved ? resolved.DisplayName : null;
            return objects.FirstOrDefault(o => o.Name == type) is { Name: not null } found
                ? found.Oid
                : throw new SqlException(SqlState.UndefinedObject, $"type \"{trimmed}\" does not exist", position);
        }

        var unqualified = kind == ObjectIdentifierKind.Class ? Unqualify(trimmed, "public") : kind == ObjectIdentifierKind.Procedure ? Unqualify(trimmed, "pg_catalog") : trimmed;
        if (unqualified is null)
        {
            throw new SqlException("3F000", $"schema \"{Identifier(trimmed[..trimmed.LastIndexOf('.')])}\" does not exist", position);
        }

        var name = Identifier(unqualified);
        var matches = objects.Where(o => o.Name == name).ToList();
        return (kind, matches.Count) switch
        {
            (_, 1) => matches[0].Oid,
            (ObjectIdentifierKind.Procedure, > 1) => throw new SqlException("42725", $"more than one function named \"{name}\"", position),
            (ObjectIdentifierKind.Class, _) => throw new SqlException(SqlState.UndefinedTable, $"relation \"{name}\" does not exist", position),
            (ObjectIdentifierKind.Procedure, _) => throw new SqlException(SqlState.UndefinedFunction, $"function \"{name}\" does not exist", position),
            _ => throw new SqlException(SqlState.UndefinedObject, $"schema \"{name}\" does not exist", position),
        };
    }

    private static string TypeName(ObjectIdentifierKind kind) => kind switch
    {
        ObjectIdentifierKind.Class => "regclass",
        ObjectIdentifierKind.Type => "regtype",
        ObjectIdentifierKind.Procedure => "regproc",
        _ => "regnamespace",
    };

    /// <summary>regtype prints format_type's name (integer, character varying); typname text is text, which our types spell varchar.</summary>
    private static string TypeDisplayName(string typname) => typname == "text" ? "text" : TypeResolver.TryResolve(typname)?.DisplayName ?? typname;

    /// <summary>schema.name → name when schema is the one the objects live in; null for another schema, which holds none.</summary>
    private static string? Unqualify(string text, string schema)
    {
        var dot = text.LastIndexOf('.');
        if (dot < 0 || text.EndsWith('"'))
        {
            return text;
        }

        var qualifier = Identifier(text[..dot]);
        return qualifier == schema ? text[(dot + 1)..] : null;
    }

    /// <summary>An identifier as PostgreSQL reads one: "Quoted" keeps its case, unquoted is folded to lower case.</summary>
    private static string Identifier(string text) =>
        text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : text.ToLowerInvariant();
}

/// <summary>PostgreSQL's text form of one-dimensional arrays: {a,b,"c d",NULL}.</summary>
internal static class ArrayText
{
    public static string Format(IEnumerable<object?> values)
    {
        var sb = new StringBuilder("{");
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            var text = value switch
            {
                null => null,
                bool b => b ? "t" : "f",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            if (text is null)
            {
                sb.Append("NULL");
            }
            else if (text.Length == 0 || text.Equals("NULL", StringComparison.OrdinalIgnoreCase) || text.Any(c => c is '{' or '}' or ',' or '"' or '\\' || char.IsWhiteSpace(c)))
            {
                sb.Append('"').Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(text);
            }
        }

        return sb.Append('}').ToString();
    }

    /// <summary>The elements (NULL for an unquoted NULL) of '{...}'; 22P02 for anything else.</summary>
    public static IReadOnlyList<string?> Parse(string text, int position)
    {
        var s = text.Trim();
        if (s.Length < 2 || s[0] != '{' || s[^1] != '}')
        {
            throw Malformed(text, position);
        }

        var elements = new List<string?>();
        var body = s[1..^1];
        if (body.Trim().Length == 0)
        {
            return elements;
        }

        var i = 0;
        while (true)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
            {
                i++;
            }

            var sb = new StringBuilder();
            var quoted = i < body.Length && body[i] == '"';
            if (quoted)
            {
                i++;
                while (i < body.Length && body[i] != '"')
                {
                    if (body[i] == '\\' && i + 1 < body.Length)
                    {
                        i++;
                    }

                    sb.Append(body[i++]);
                }

                if (i >= body.Length)
                {
                    throw Malformed(text, position);
                }

                i++;
                while (i < body.Length && char.IsWhiteSpace(body[i]))
                {
                    i++;
                }
            }
            else
            {
                while (i < body.Length && body[i] != ',')
                {
                    if (body[i] is '{' or '}' or '"')
                    {
                        throw Malformed(text, position);
                    }

                    sb.Append(body[i++]);
                }
            }

            var element = quoted ? sb.ToString() : sb.ToString().Trim();
            if (!quoted && element.Length == 0)
            {
                throw Malformed(text, position);
            }

            elements.Add(!quoted && element.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? null : element);
            if (i >= body.Length)
            {
                return elements;
            }

            if (body[i] != ',')
            {
                throw Malformed(text, position);
            }

            i++;
        }
    }

    private static SqlException Malformed(string text, int position) =>
        new(SqlState.InvalidTextRepresentation, $"malformed array literal: \"{text}\"", position);
}
