using System.Globalization;
using StreamSql.Parser.Ast;
using StreamSql.Parser.Errors;
using StreamSql.Planner.Bound;
using StreamSql.Planner.Functions;
using StreamSql.Planner.Types;

namespace StreamSql.Planner.Binder;

/// <summary>Resolves names and types of an AST expression against a scope, following PostgreSQL's typing rules.</summary>
public sealed partial class ExpressionBinder
{
    private readonly BindScope _scope;
    private readonly ISubqueryEvaluator? _subqueries;
    private readonly IParameterSource? _parameters;
    private readonly Catalog.CatalogStore? _catalog;
    private readonly IReadOnlyList<FromRelation>? _from;

    /// <param name="parameters">What $n stands for; null where parameters are not allowed (utility statements, persistent queries).</param>
    /// <param name="catalog">Where regclass, regtype, regproc and regnamespace names are looked up (the system relations); null rejects those casts.</param>
    /// <param name="from">The FROM clause the scope comes from, so correlated subqueries can ask what its rows hold; null when unknown.</param>
    public ExpressionBinder(BindScope scope, ISubqueryEvaluator? subqueries = null, IParameterSource? parameters = null,
        Catalog.CatalogStore? catalog = null, IReadOnlyList<FromRelation>? from = null)
    {
        _scope = scope;
        _subqueries = subqueries;
        _parameters = parameters;
        _catalog = catalog;
        _from = from;
    }

    public BoundExpression Bind(Expression expression)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return BindExpression(expression);
    }

    private BoundExpression BindExpression(Expression expression) => expression switch
    {
        NullLiteral => new BoundLiteral(null, SqlType.Unknown),
        BooleanLiteral b => new BoundLiteral(b.Value, SqlType.Boolean),
        IntegerLiteral i => BindInteger(i),
        DecimalLiteral d => BindDecimal(d),
        StringLiteral s => new BoundLiteral(s.Value, SqlType.Unknown),
        TypedLiteral t => BindTypedLiteral(t),
        ColumnReference c => BindColumn(c),
        BinaryExpression b => BindBinary(b),
        UnaryMinus u => BindNegate(u),
        NotExpression n => new BoundNot(BindCondition(n.Operand, "NOT")),
        IsNullExpression n => new BoundIsNull(Bind(n.Operand), n.Negated),
        IsBooleanExpression b => new BoundIsBoolean(BindCondition(b.Operand, "IS " + (b.Value ? "TRUE" : "FALSE")), b.Value, b.Negated),
        LikeExpression l => BindLike(l),
        BetweenExpression b => BindBetween(b),
        InListExpression i => BindInList(i),
        CaseExpression c => BindCase(c),
        CastExpression c => BindCast(c),
        FunctionCall { Over: not null } f => throw QueryBinder.WindowFunctionNotSupported(f),
        FunctionCall f => BindFunction(f),
        ParameterReference p => _parameters?.Bind(p) ?? throw new SqlException(SqlState.UndefinedParameter, $"there is no parameter ${p.Index}", p.Position),
        IntervalLiteral i => new BoundLiteral(Interval.Parse(i.Value, i.Unit, i.Position), SqlType.Interval),
        InSubqueryExpression s => BindInSubquery(s),
        ExistsExpression e => new BoundLiteral(Evaluate(e.Query, "EXISTS (subquery)", e.Position).Rows.Count > 0, SqlType.Boolean),
        ScalarSubquery s => BindScalarSubquery(s),
        ArraySubquery a => BindArraySubquery(a),
        QuantifiedComparison q => BindQuantifiedComparison(q),
        ArrayConstructor a => BindArray(a),
        MapConstructor m => BindMap(m),
        StructConstructor st => BindStruct(st),
        SubscriptExpression s => BindSubscript(s),
        _ => throw SqlException.NotSupported(expression.GetType().Name, expression.Position),
    };

    /// <summary>Binds an expression that must be boolean (WHERE, AND/OR operands), as PostgreSQL checks it.</summary>
    public BoundExpression BindCondition(Expression expression, string clause)
    {
        var bound = Bind(expression);
        if (bound.Type.Kind == SqlTypeKind.Unknown)
        {
            return Coercion.Convert(bound, SqlType.Boolean, expression.Position);
        }

        return bound.Type.Kind == SqlTypeKind.Boolean
            ? bound
            : throw new SqlException(SqlState.DatatypeMismatch, $"argument of {clause} must be type boolean, not type {bound.Type.DisplayName}", expression.Position);
    }

    /// <summary>Resolves a remaining "unknown" (bare string literal or NULL) to text, as PostgreSQL does in a SELECT list.</summary>
    public static BoundExpression Resolve(BoundExpression expression, int? position) =>
        expression.Type.Kind == SqlTypeKind.Unknown ? Coercion.Convert(expression, SqlType.Varchar, position) : expression;

    private (IReadOnlyList<Catalog.ColumnSchema> Columns, IReadOnlyList<object?[]> Rows) Evaluate(Query query, string what, int position)
    {
        if (_subqueries is null)
        {
            throw SqlException.NotSupported(what + " outside a pull query", position);
        }

        try
        {
            return _subqueries.Evaluate(query);
        }
        catch (SqlException e) when (e.SqlState is SqlState.UndefinedColumn or SqlState.UndefinedTable or SqlState.FeatureNotSupported && _scope.Columns.Count > 0)
        {
            // The subquery names something only the outer query has. Correlated subqueries need joins, except over
            // relations with no rows (catalog lookups such as pg_range or pg_attrdef): then it has no rows for any outer row.
            if (UnnestsOnlyNulls(query))
            {
                return ([new Catalog.ColumnSchema("?column?", SqlType.Unknown)], []);
            }

            if (e.SqlState == SqlState.FeatureNotSupported)
            {
                throw;
            }

            if (ReadsNoRows(query))
            {
                return ([new Catalog.ColumnSchema("?column?", SqlType.Unknown)], []);
            }

            throw SqlException.NotSupported($"correlated {what} ({e.Message})", position);
        }
    }

    /// <summary>
    /// Whether a (correlated) subquery has no rows whatever the outer row: a plain SELECT (no aggregates, GROUP BY or
    /// set operation) from catalog relations only, whose FROM, read on its own, has no rows. The FROM is read with the subquery's own scope only, so
    /// a FROM that itself names outer columns is not decided here.
    /// </summary>
    private bool ReadsNoRows(Query query)
    {
        if (query.Body is not QuerySpecification { From.Count: > 0, GroupBy.Count: 0, Having: null } spec
            || !spec.From.All(IsCatalogRelation)
            || !spec.Items.All(i => i is SelectExpression { Expression: var e } && !HasAggregate(e)))
        {
            return false;
        }

        var probe = new Query(query.Position, query.With,
            new QuerySpecification(spec.Position, false, [new SelectExpression(spec.Position, new IntegerLiteral(spec.Position, "1"), null)], spec.From, null, null, [], null, []),
            [], EmitMode.None, 1, null);
        try
        {
            return _subqueries!.Evaluate(probe).Rows.Count == 0;
        }
        catch (SqlException)
        {
            return false;
        }
    }

    /// <summary>pg_catalog and information_schema relations: fixed while a query binds, unlike streams, which may get rows at any time.</summary>
    private static bool IsCatalogRelation(FromRelation relation) => relation is TableRelation { Name: var name }
        && (name.Schema is "pg_catalog" or "information_schema" || (name.Schema is null && name.Name.StartsWith("pg_", StringComparison.Ordinal)));

    /// <summary>Whether an expression may hold an aggregate; anything but columns, literals, casts and plain function calls counts as "may".</summary>
    private static bool HasAggregate(Expression expression) => expression switch
    {
        ColumnReference or StringLiteral or IntegerLiteral or NullLiteral or BooleanLiteral => false,
        CastExpression c => HasAggregate(c.Operand),
        SubscriptExpression s => HasAggregate(s.Operand) || HasAggregate(s.Index),
        ArrayConstructor a => a.Elements.Any(HasAggregate),
        MapConstructor m => m.Keys.Any(HasAggregate) || m.Values.Any(HasAggregate),
        StructConstructor st => st.Values.Any(HasAggregate),
        FunctionCall f => FunctionRegistry.IsAggregate(f.Name) || f.Arguments.Any(HasAggregate),
        _ => true,
    };

    /// <summary>x IN (subquery): the subquery runs once and its values become an IN list; no rows gives FALSE (TRUE for NOT IN), even for NULL x.</summary>
    private BoundExpression BindInSubquery(InSubqueryExpression inSubquery)
    {
        var (columns, rows) = Evaluate(inSubquery.Query, "IN (subquery)", inSubquery.Position);
        if (columns.Count != 1)
        {
            throw new SqlException(SqlState.SyntaxError, "subquery has too many columns", inSubquery.Query.Position);
        }

        if (rows.Count == 0)
        {
            return new BoundLiteral(inSubquery.Negated, SqlType.Boolean);
        }

        var operand = Bind(inSubquery.Operand);
        var type = Coercion.OperatorType(operand.Type, columns[0].Type)
            ?? throw OperatorDoesNotExist("=", operand.Type, columns[0].Type, inSubquery.Position);
        var values = rows.Select(r => (BoundExpression)new BoundLiteral(Coercion.ConvertConstant(r[0], columns[0].Type, type, inSubquery.Position), type)).ToList();
        return new BoundInList(Coercion.Convert(operand, type, inSubquery.Operand.Position), values, inSubquery.Negated);
    }

    private BoundExpression BindScalarSubquery(ScalarSubquery subquery)
    {
        var (columns, rows) = Evaluate(subquery.Query, "scalar subquery", subquery.Position);
        if (columns.Count != 1)
        {
            throw new SqlException(SqlState.SyntaxError, "subquery must return only one column", subquery.Position);
        }

        if (rows.Count > 1)
        {
            throw new SqlException(SqlState.CardinalityViolation, "more than one row returned by a subquery used as an expression", subquery.Position);
        }

        return new BoundLiteral(rows.Count == 0 ? null : rows[0][0], columns[0].Type);
    }

    private static BoundLiteral BindInteger(IntegerLiteral literal)
    {
        if (long.TryParse(literal.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            // As in PostgreSQL, a negated literal is typed after negation: -2147483648 is an integer.
            return value is >= int.MinValue and <= int.MaxValue ? new BoundLiteral((int)value, SqlType.Int) : new BoundLiteral(value, SqlType.BigInt);
        }

        // Too long for bigint: PostgreSQL types such a literal numeric.
        return decimal.TryParse(literal.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
            ? new BoundLiteral(big, SqlType.Numeric)
            : throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{literal.Text}\" is out of range for type numeric", literal.Position);
    }

    /// <summary>A literal with a point or exponent is NUMERIC in PostgreSQL, keeping its written scale (1.50 shows as 1.50).</summary>
    private static BoundLiteral BindDecimal(DecimalLiteral literal) =>
        decimal.TryParse(literal.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? new BoundLiteral(value, SqlType.Numeric)
            : throw new SqlException(SqlState.NumericValueOutOfRange, $"value \"{literal.Text}\" is out of range for type numeric", literal.Position);

    private static BoundLiteral BindTypedLiteral(TypedLiteral literal)
    {
        var type = TypeResolver.Resolve(literal.Type);
        return new BoundLiteral(TextValues.Parse(literal.Value, type, literal.Position), type);
    }

    private BoundColumn BindColumn(ColumnReference column)
    {
        var index = _scope.Resolve(column.Qualifier, column.Name, column.Position);
        var schema = _scope.Columns[index];
        return new BoundColumn(index, schema.Name, schema.Type);
    }

    private BoundExpression BindNegate(UnaryMinus minus)
    {
        var operand = Bind(minus.Operand);
        if (operand.Type.Kind == SqlTypeKind.Unknown)
        {
            operand = Coercion.Convert(operand, SqlType.Double, minus.Position);
        }

        return operand.Type.IsNumeric || operand.Type.Kind == SqlTypeKind.Interval
            ? new BoundNegate(operand)
            : throw new SqlException(SqlState.UndefinedFunction, $"operator does not exist: - {operand.Type.DisplayName}", minus.Position);
    }

    private BoundExpression BindBinary(BinaryExpression binary)
    {
        var op = binary.Operator;
        if (op is BinaryOperator.And or BinaryOperator.Or)
        {
            var clause = op == BinaryOperator.And ? "AND" : "OR";
            return new BoundBinary(op, BindCondition(binary.Left, clause), BindCondition(binary.Right, clause), SqlType.Boolean);
        }

        if (TryBindStructField(binary) is { } field)
        {
            return field;
        }

        var (left, right) = BindComparedOperands(binary);
        if ((left.Type.IsComposite || right.Type.IsComposite) && op != BinaryOperator.Concat)
        {
            // Maps and structs are json to clients, which has no comparison operators either; || with text prints them.
            throw OperatorDoesNotExist(op.ToSql(), left.Type, right.Type, binary.Position);
        }

        if (left.Type.Kind == SqlTypeKind.Array || right.Type.Kind == SqlTypeKind.Array)
        {
            return BindArrayOperator(binary, op, left, right);
        }

        if (op is BinaryOperator.JsonField or BinaryOperator.JsonFieldText)
        {
            // JSON is carried as text: -> gives the JSON text of a field or element, ->> its text value.
            left = Coercion.Convert(left, SqlType.Varchar, binary.Left.Position);
            right = right.Type.Kind == SqlTypeKind.Unknown ? Coercion.Convert(right, SqlType.Varchar, binary.Right.Position) : right;
            if (left.Type.Kind != SqlTypeKind.Varchar || right.Type.Kind is not (SqlTypeKind.Varchar or SqlTypeKind.Int))
            {
                throw OperatorDoesNotExist(op.ToSql(), left.Type, right.Type, binary.Position);
            }

            return new BoundBinary(op, left, right, SqlType.Varchar);
        }

        if (op == BinaryOperator.Concat
            && (left.Type.Kind, right.Type.Kind) is (SqlTypeKind.Bytea, SqlTypeKind.Bytea or SqlTypeKind.Unknown) or (SqlTypeKind.Unknown, SqlTypeKind.Bytea))
        {
            // bytea || bytea; an untyped literal on either side is read as bytea.
            return new BoundBinary(op, Coercion.Convert(left, SqlType.Bytea, binary.Left.Position), Coercion.Convert(right, SqlType.Bytea, binary.Right.Position), SqlType.Bytea);
        }

        if (op == BinaryOperator.Concat)
        {
            // text || anything: the non-text side is cast to text (PostgreSQL's anynonarray || text).
            if (left.Type.Kind != SqlTypeKind.Varchar && right.Type.Kind != SqlTypeKind.Varchar
                && left.Type.Kind != SqlTypeKind.Unknown && right.Type.Kind != SqlTypeKind.Unknown)
            {
                throw OperatorDoesNotExist("||", left.Type, right.Type, binary.Position);
            }

            return new BoundBinary(op, ToText(left, binary.Position), ToText(right, binary.Position), SqlType.Varchar);
        }

        if (DateTimeArithmetic.TryBind(op, left, right, binary.Position) is { } temporal)
        {
            return temporal;
        }

        var common = Coercion.OperatorType(left.Type, right.Type) ?? throw OperatorDoesNotExist(op.ToSql(), left.Type, right.Type, binary.Position);
        left = Coercion.Convert(left, common, binary.Left.Position);
        right = Coercion.Convert(right, common, binary.Right.Position);
        var isArithmetic = op is BinaryOperator.Add or BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo;
        if (isArithmetic)
        {
            if (!common.IsNumeric || (op == BinaryOperator.Modulo && common.Kind is SqlTypeKind.Double or SqlTypeKind.Real))
            {
                throw OperatorDoesNotExist(op.ToSql(), left.Type, right.Type, binary.Position);
            }

            return new BoundBinary(op, left, right, common with { Precision = null, NumericScale = null });
        }

        return new BoundBinary(op, left, right, SqlType.Boolean);
    }

    /// <summary>
    /// Operators on arrays: the comparisons between arrays of one type (element by element, as PostgreSQL's btree order), and
    /// || as array_cat (array || array), array_append (array || element) and array_prepend (element || array).
    /// </summary>
    private static BoundExpression BindArrayOperator(BinaryExpression binary, BinaryOperator op, BoundExpression left, BoundExpression right)
    {
        static bool IsNull(BoundExpression e) => e is BoundLiteral { Value: null, Type.Kind: SqlTypeKind.Unknown };
        var arrayType = left.Type.Kind == SqlTypeKind.Array ? left.Type : right.Type;
        if (IsNull(left))
        {
            left = new BoundLiteral(null, arrayType);
        }

        if (IsNull(right))
        {
            right = new BoundLiteral(null, arrayType);
        }

        // PostgreSQL reads an untyped literal beside an array as an array literal of the same type ('{1,2}'); a parameter takes the array type.
        if (left is BoundLiteral { Value: string or ParameterSlot, Type.Kind: SqlTypeKind.Unknown })
        {
            left = Coercion.Convert(left, arrayType, binary.Left.Position);
        }

        if (right is BoundLiteral { Value: string or ParameterSlot, Type.Kind: SqlTypeKind.Unknown })
        {
            right = Coercion.Convert(right, arrayType, binary.Right.Position);
        }

        if (op is BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater
            or BinaryOperator.GreaterOrEqual or BinaryOperator.IsDistinctFrom or BinaryOperator.IsNotDistinctFrom && left.Type == right.Type)
        {
            return new BoundBinary(op, left, right, SqlType.Boolean);
        }

        if (op == BinaryOperator.Concat)
        {
            // anycompatiblearray: both sides meet in the common element type (integer[] || numeric is numeric[]).
            var leftElement = left.Type.Element ?? left.Type;
            var rightElement = right.Type.Element ?? right.Type;
            if (leftElement.Kind != SqlTypeKind.Array && rightElement.Kind != SqlTypeKind.Array
                && Coercion.CommonType(leftElement, rightElement) is { } common)
            {
                common = common with { Precision = null, NumericScale = null };
                var resultType = SqlType.ArrayOf(common);
                BoundExpression As(BoundExpression e, int position) => e.Type.Kind == SqlTypeKind.Array
                    ? (e.Type == resultType ? e : e is BoundLiteral { Value: null } ? new BoundLiteral(null, resultType) : new BoundCast(e, resultType))
                    : Coercion.Convert(e, common, position);
                left = As(left, binary.Left.Position);
                right = As(right, binary.Right.Position);
                var name = left.Type.Kind == SqlTypeKind.Array ? (right.Type.Kind == SqlTypeKind.Array ? "array_cat" : "array_append") : "array_prepend";
                return new BoundFunctionCall(name, [left, right], resultType);
            }
        }

        throw OperatorDoesNotExist(op.ToSql(), left.Type, right.Type, binary.Position);
    }

    private static BoundExpression ToText(BoundExpression expression, int position) =>
        expression.Type.Kind == SqlTypeKind.Varchar ? expression : Coercion.Convert(expression, SqlType.Varchar, position);

    private BoundExpression BindLike(LikeExpression like)
    {
        var operand = Coercion.Convert(Bind(like.Operand), SqlType.Varchar, like.Operand.Position);
        var pattern = Coercion.Convert(Bind(like.Pattern), SqlType.Varchar, like.Pattern.Position);
        if (operand.Type.Kind != SqlTypeKind.Varchar)
        {
            throw OperatorDoesNotExist("~~", operand.Type, pattern.Type, like.Position);
        }

        var escape = like.Escape is null ? null : Coercion.Convert(Bind(like.Escape), SqlType.Varchar, like.Escape.Position);
        return new BoundLike(operand, pattern, escape, like.CaseInsensitive, like.Negated);
    }

    private BoundExpression BindBetween(BetweenExpression between)
    {
        // a BETWEEN x AND y is (a >= x AND a <= y), as PostgreSQL rewrites it.
        var low = BindBinary(new BinaryExpression(between.Position, BinaryOperator.GreaterOrEqual, between.Operand, between.Lower));
        var high = BindBinary(new BinaryExpression(between.Position, BinaryOperator.LessOrEqual, between.Operand, between.Upper));
        BoundExpression both = new BoundBinary(BinaryOperator.And, low, high, SqlType.Boolean);
        return between.Negated ? new BoundNot(both) : both;
    }

    private BoundExpression BindInList(InListExpression inList)
    {
        var operand = Bind(inList.Operand);
        var values = inList.Values.Select(Bind).ToList();
        var common = operand.Type;
        foreach (var value in values)
        {
            common = Coercion.Accumulate(common, value.Type) ?? throw OperatorDoesNotExist("=", operand.Type, value.Type, inList.Position);
        }

        common = common.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : common;
        return new BoundInList(
            Coercion.Convert(operand, common, inList.Operand.Position),
            values.Select((v, i) => Coercion.Convert(v, common, inList.Values[i].Position)).ToList(),
            inList.Negated);
    }

    private BoundExpression BindCase(CaseExpression @case)
    {
        var whens = new List<(BoundExpression Condition, BoundExpression Result, int Position)>();
        foreach (var when in @case.Whens)
        {
            var condition = @case.Operand is null
                ? BindCondition(when.Condition, "CASE/WHEN")
                : BindBinary(new BinaryExpression(when.Position, BinaryOperator.Equal, @case.Operand, when.Condition));
            whens.Add((condition, Bind(when.Result), when.Result.Position));
        }

        var @else = @case.Else is null ? null : Bind(@case.Else);
        var type = SqlType.Unknown;
        foreach (var (_, result, position) in whens)
        {
            type = Coercion.Accumulate(type, result.Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"CASE types {type.DisplayName} and {result.Type.DisplayName} cannot be matched", position);
        }

        if (@else is not null)
        {
            type = Coercion.Accumulate(type, @else.Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"CASE types {type.DisplayName} and {@else.Type.DisplayName} cannot be matched", @case.Else!.Position);
        }

        type = type.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : type;
        return new BoundCase(
            whens.Select(w => new BoundWhen(w.Condition, Coercion.Convert(w.Result, type, w.Position))).ToList(),
            @else is null ? null : Coercion.Convert(@else, type, @case.Else!.Position),
            type);
    }

    private BoundExpression BindCast(CastExpression cast)
    {
        if (ObjectIdentifiers.Kind(cast.Type.Name) is { } kind)
        {
            return BindObjectIdentifierCast(cast, kind);
        }

        if (cast.Type.Name == "oid" && cast.Type.Arguments.Count == 0)
        {
            // oid is an unsigned 4-byte integer in PostgreSQL; here an integer, as in our pg_catalog. 'name'::regclass::oid is the OID.
            return cast.Operand is CastExpression { Type.Name: var inner } reg && ObjectIdentifiers.Kind(inner) is { } regKind
                ? BindObjectIdentifierOid(reg, regKind)
                : Coercion.Convert(Bind(cast.Operand), SqlType.Int, cast.Operand.Position);
        }

        if (cast.Type.Name == "array")
        {
            return BindArrayCast(cast);
        }

        var operand = Bind(cast.Operand);
        var target = TypeResolver.Resolve(cast.Type);
        if (target.IsComposite && operand.Type.Kind is SqlTypeKind.Varchar or SqlTypeKind.Unknown && operand is not BoundLiteral { Value: null })
        {
            throw SqlException.NotSupported($"cast from {operand.Type.DisplayName} to {target.DisplayName} (build one with {(target.Kind == SqlTypeKind.Map ? "MAP(k := v, ...)" : "STRUCT(f := v, ...)")})", cast.Position);
        }

        if (!Coercion.CanCast(operand.Type, target))
        {
            throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {operand.Type.DisplayName} to {target.DisplayName}", cast.Position);
        }

        if (operand is BoundLiteral { Type.Kind: not SqlTypeKind.Unknown })
        {
            try
            {
                return Coercion.Convert(operand, target, cast.Operand.Position);
            }
            catch (SqlException)
            {
                // A typed value that does not fit (CAST(40000 AS SMALLINT)) fails when evaluated, as in PostgreSQL,
                // so a CASE branch or COALESCE argument that is never reached does not fail the statement.
                return new BoundCast(operand, target);
            }
        }

        return Coercion.Convert(operand, target, cast.Operand.Position);
    }

    /// <summary>ARRAY[a, b, ...]: the elements convert to their common type (as in CASE); untyped literals alone make text[].</summary>
    private BoundExpression BindArray(ArrayConstructor array)
    {
        if (array.Elements.Count == 0)
        {
            throw new SqlException(SqlState.IndeterminateDatatype, "cannot determine type of empty array", array.Position,
                hint: "Explicitly cast to the desired type, for example ARRAY[]::integer[].");
        }

        var elements = array.Elements.Select(Bind).ToList();
        var type = SqlType.Unknown;
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i].Type.Kind == SqlTypeKind.Array)
            {
                throw SqlException.NotSupported("multidimensional arrays", array.Elements[i].Position);
            }

            type = Coercion.Accumulate(type, elements[i].Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"ARRAY types {type.DisplayName} and {elements[i].Type.DisplayName} cannot be matched", array.Elements[i].Position);
        }

        type = type.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : type with { Precision = null, NumericScale = null };
        return new BoundFunctionCall(ArrayConstructorFunction, elements.Select((e, i) => Coercion.Convert(e, type, array.Elements[i].Position)).ToList(), SqlType.ArrayOf(type));
    }

    /// <summary>CAST(... AS T[]): NULL, an array of that type, or an ARRAY[...] constructor whose elements are cast one by one.</summary>
    private BoundExpression BindArrayCast(CastExpression cast)
    {
        if (cast.Type.Arguments[0].Name == "array")
        {
            throw SqlException.NotSupported("multidimensional arrays", cast.Type.Position);
        }

        var element = TypeResolver.Resolve(cast.Type.Arguments[0]);
        var target = SqlType.ArrayOf(element);
        if (cast.Operand is ArrayConstructor constructor)
        {
            var elements = constructor.Elements.Select((e, i) =>
            {
                var bound = Bind(e);
                if (!Coercion.CanCast(bound.Type, element) || bound.Type.Kind == SqlTypeKind.Array)
                {
                    throw new SqlException(SqlState.CannotCoerce, $"cannot cast type {bound.Type.DisplayName} to {element.DisplayName}", e.Position);
                }

                return bound.Type == element ? bound : bound is BoundLiteral ? Coercion.Convert(bound, element, e.Position) : new BoundCast(bound, element);
            }).ToList();
            return new BoundFunctionCall(ArrayConstructorFunction, elements, target);
        }

        var operand = Bind(cast.Operand);
        if (operand is BoundLiteral { Value: null })
        {
            return new BoundLiteral(null, target);
        }

        if (operand.Type == target)
        {
            return operand;
        }

        if (operand.Type.Kind is SqlTypeKind.Unknown or SqlTypeKind.Varchar)
        {
            // '{1,2,3}'::int[]: PostgreSQL's array_in; a literal is checked when binding.
            return Coercion.Convert(operand, target, cast.Operand.Position);
        }

        return operand.Type is { Kind: SqlTypeKind.Array, Element: { } from } && Coercion.CanCast(from, element)
            ? new BoundCast(operand, target)
            : throw SqlException.NotSupported($"cast from {operand.Type.DisplayName} to {target.DisplayName}", cast.Position);
    }

    /// <summary>The internal function an ARRAY[...] constructor binds to (it takes any number of arguments of one type).</summary>
    public const string ArrayConstructorFunction = "array";

    /// <summary>The internal function a subscript a[i] binds to: 1-based, NULL when out of range.</summary>
    public const string ArraySubscriptFunction = "array_subscript";

    private BoundExpression BindSubscript(SubscriptExpression subscript)
    {
        var operand = Bind(subscript.Operand);
        if (operand.Type.Kind == SqlTypeKind.Map)
        {
            return BindMapSubscript(subscript, operand);
        }

        if (operand.Type.Kind != SqlTypeKind.Array)
        {
            throw new SqlException(SqlState.DatatypeMismatch, $"cannot subscript type {operand.Type.DisplayName} because it does not support subscripting", subscript.Operand.Position);
        }

        var index = Bind(subscript.Index);
        if (!index.Type.IsInteger && index.Type.Kind != SqlTypeKind.Unknown)
        {
            throw new SqlException(SqlState.DatatypeMismatch, "array subscript must have type integer", subscript.Index.Position);
        }

        return new BoundFunctionCall(ArraySubscriptFunction, [operand, Coercion.Convert(index, SqlType.Int, subscript.Index.Position)], operand.Type.Element!);
    }

    /// <summary>cardinality(anyarray) and array_length(anyarray, dimension): any array type.</summary>
    private BoundExpression? BindArrayFunction(string name, FunctionCall call, List<BoundExpression> args)
    {
        if (name is not ("cardinality" or "array_length") || args.Count == 0)
        {
            return null;
        }

        if (args[0].Type.Kind == SqlTypeKind.Unknown)
        {
            throw new SqlException(SqlState.DatatypeMismatch, "could not determine polymorphic type because input has type unknown", call.Position);
        }

        if (args[0].Type.Kind != SqlTypeKind.Array)
        {
            return null;
        }

        if (name == "cardinality" && args.Count == 1)
        {
            return new BoundFunctionCall(name, args, SqlType.Int);
        }

        if (name == "array_length" && args.Count == 2 && Coercion.CanImplicitlyConvert(args[1].Type, SqlType.Int))
        {
            return new BoundFunctionCall(name, [args[0], Coercion.Convert(args[1], SqlType.Int, call.Arguments[1].Position)], SqlType.Int);
        }

        return null;
    }

    private BoundExpression BindFunction(FunctionCall call)
    {
        var name = FunctionRegistry.Canonical(call.Name);
        var args = call.Arguments.Select(Bind).ToList();
        if (!call.Star && !call.Distinct && BindArrayFunction(name, call, args) is { } arrayFunction)
        {
            return arrayFunction;
        }

        if (!call.Star && !call.Distinct && BindMapFunction(name, args) is { } mapFunction)
        {
            return mapFunction;
        }

        // A regclass (regtype, ...) argument where a function takes an OID is the OID: pg_table_is_visible('t'::regclass).
        var oids = call.Arguments.Select(a => IsObjectIdentifierCast(a, out var kind) ? BindObjectIdentifierOid((CastExpression)a, kind) : null).ToList();
        if (call.Star || call.Distinct || FunctionRegistry.IsAggregate(name))
        {
            throw SqlException.NotSupported($"aggregate function {call.Name}", call.Position);
        }

        if (FunctionRegistry.CommonTypeFunctions.Contains(name))
        {
            return BindCommonTypeFunction(name, call, args);
        }

        if (name == "pg_typeof" && args.Count == 1)
        {
            // PostgreSQL's pg_typeof returns regtype; here its text, known when binding (an untyped literal is "unknown").
            return new BoundLiteral(args[0].Type.DisplayName, SqlType.Varchar);
        }

        var overloads = FunctionRegistry.Find(name);
        if (overloads is not null)
        {
            // PostgreSQL prefers the candidate whose parameters match the most argument types exactly.
            var best = -1;
            BoundFunctionCall? chosen = null;
            foreach (var candidate in overloads)
            {
                var candidateArgs = candidate.Variadic || candidate.Parameters.Count != args.Count
                    ? args
                    : args.Select((a, i) => oids[i] is { } oid && candidate.Parameters[i].IsInteger ? oid : a).ToList();
                if (TryMatch(candidate, candidateArgs, call, out var converted))
                {
                    var exact = candidate.Variadic ? 0 : candidateArgs.Select((a, i) => a.Type.Kind == candidate.Parameters[i].Kind ? 1 : 0).Sum();
                    if (exact > best)
                    {
                        best = exact;
                        chosen = new BoundFunctionCall(name, converted, candidate.Result);
                    }
                }
            }

            if (chosen is not null)
            {
                return chosen;
            }
        }

        var types = string.Join(", ", args.Select(a => a.Type.DisplayName));
        throw new SqlException(SqlState.UndefinedFunction, $"function {call.Name}({types}) does not exist", call.Position,
            hint: "No function matches the given name and argument types. You might need to add explicit type casts.");
    }

    private static bool TryMatch(ScalarFunction candidate, List<BoundExpression> args, FunctionCall call, out List<BoundExpression> converted)
    {
        converted = [];
        if (candidate.Variadic)
        {
            // Variadic text functions (concat) accept any argument and print it with its output function (true prints as t).
            foreach (var (arg, i) in args.Select((a, i) => (a, i)))
            {
                converted.Add(Resolve(arg, call.Arguments[i].Position));
            }

            return args.Count > 0;
        }

        if (candidate.Parameters.Count != args.Count)
        {
            return false;
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (!Coercion.CanImplicitlyConvert(args[i].Type, candidate.Parameters[i]))
            {
                return false;
            }

            converted.Add(Coercion.Convert(args[i], candidate.Parameters[i], call.Arguments[i].Position));
        }

        return true;
    }

    /// <summary>coalesce, nullif, greatest, least: arguments are converted to their common type, which is also the result type.</summary>
    private static BoundExpression BindCommonTypeFunction(string name, FunctionCall call, List<BoundExpression> args)
    {
        if (args.Count == 0 || (name == "nullif" && args.Count != 2) || (call.Name == "ifnull" && args.Count != 2))
        {
            var types = string.Join(", ", args.Select(a => a.Type.DisplayName));
            throw new SqlException(SqlState.UndefinedFunction, $"function {call.Name}({types}) does not exist", call.Position);
        }

        var type = SqlType.Unknown;
        for (var i = 0; i < args.Count; i++)
        {
            type = Coercion.Accumulate(type, args[i].Type)
                ?? throw new SqlException(SqlState.DatatypeMismatch, $"{name.ToUpperInvariant()} types {type.DisplayName} and {args[i].Type.DisplayName} cannot be matched", call.Arguments[i].Position);
        }

        type = type.Kind == SqlTypeKind.Unknown ? SqlType.Varchar : type;
        return new BoundFunctionCall(name, args.Select((a, i) => Coercion.Convert(a, type, call.Arguments[i].Position)).ToList(), type);
    }

    internal static SqlException OperatorDoesNotExist(string op, SqlType left, SqlType right, int position) =>
        new(SqlState.UndefinedFunction, $"operator does not exist: {left.DisplayName} {op} {right.DisplayName}", position,
            hint: "No operator matches the given name and argument types. You might need to add explicit type casts.");
}
