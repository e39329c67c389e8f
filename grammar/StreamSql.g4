// StreamSql dialect: PostgreSQL expressions and SELECT plus ksqlDB-style streaming DDL.
// Keywords are case-insensitive; unquoted identifiers fold to lower case in the AST builder.
grammar StreamSql;

options { caseInsensitive = true; }

script
    : SEMI* (statement (SEMI+ statement)* SEMI*)? EOF
    ;

statement
    : CREATE (OR REPLACE)? kind=(STREAM | TABLE) (IF NOT EXISTS)? qualifiedName
        tableElements? withProperties? (AS query)?                                   # createRelation
    | CREATE MATERIALIZED? VIEW (IF NOT EXISTS)? qualifiedName withProperties? AS query # createView
    | CREATE kind=(SOURCE | SINK) (IF NOT EXISTS)? qualifiedName tableElements?
        (FROM from=qualifiedName)? withProperties? (AS query)?                       # createConnector
    | INSERT INTO qualifiedName columnList? insertSource                             # insert
    | UPDATE qualifiedName (AS? identifier)? SET assignment (COMMA assignment)* (WHERE expression)? # update
    | DELETE FROM qualifiedName (AS? identifier)? (WHERE expression)?                # delete
    | query                                                                          # selectStatement
    | SUBSCRIBE TO? (qualifiedName | LPAREN query RPAREN) withProperties?             # subscribe
    | SHOW what=(STREAMS | TABLES | TOPICS | QUERIES | VIEWS | FUNCTIONS | SOURCES | SINKS | PROPERTIES) EXTENDED? # showObjects
    | SHOW MATERIALIZED VIEWS                                                        # showMaterializedViews
    | SHOW ALL                                                                       # showAllSettings
    | SHOW settingName                                                               # showSetting
    | (DESCRIBE | DESC) FUNCTION identifier                                          # describeFunction
    | (DESCRIBE | DESC) EXTENDED? qualifiedName                                      # describe
    | DROP MATERIALIZED? kind=(STREAM | TABLE | VIEW | SOURCE | SINK) (IF EXISTS)? qualifiedName (DELETE TOPIC)? # drop
    | TERMINATE (identifier | ALL)                                                   # terminate
    | FLUSH                                                                          # flush
    | SET (SESSION | LOCAL)? settingName (EQ | TO) settingValue                       # set
    | RESET (settingName | ALL)                                                      # reset
    | EXPLAIN ANALYZE identifier                                                     # explainAnalyzeQuery
    | EXPLAIN ANALYZE? statement                                                     # explain
    | RESTART QUERY identifier                                                       # restartQuery
    | PRINT (STRING | identifier) (FROM BEGINNING)? (LIMIT INTEGER_VALUE)?            # print
    // Session and transaction statements clients send (no-ops or handled by the connection).
    | (BEGIN | START TRANSACTION) (TRANSACTION | WORK)? (transactionMode (COMMA? transactionMode)*)? # beginTransaction
    | action=(COMMIT | END | ROLLBACK | ABORT) (TRANSACTION | WORK)? (AND NO? CHAIN)?  # endTransaction
    | DISCARD what=(ALL | PLANS | SEQUENCES | TEMP | TEMPORARY)                       # discard
    | SET (SESSION | LOCAL)? TIME ZONE (settingValue | LOCAL)                         # setTimeZone
    | CREATE USER identifier WITH? PASSWORD STRING                                     # createUser
    // psql's ways to watch a push query live: COPY (...) TO STDOUT and cursors (\set FETCH_COUNT n).
    | COPY LPAREN (query | SUBSCRIBE TO? qualifiedName) RPAREN TO STDOUT (WITH? LPAREN copyOption (COMMA copyOption)* RPAREN)? # copyTo
    | DECLARE identifier NO? SCROLL? CURSOR ((WITH | WITHOUT) HOLD)? FOR query        # declareCursor
    | FETCH (FORWARD? (count=INTEGER_VALUE | ALL) | FORWARD)? (FROM | IN)? identifier   # fetchCursor
    | CLOSE (identifier | ALL)                                                       # closeCursor
    ;

// FORMAT text | csv, HEADER [true | false]: checked by the AST builder.
copyOption
    : identifier (identifier | STRING | TRUE | FALSE)?
    ;

// ISOLATION LEVEL READ COMMITTED, READ ONLY, NOT DEFERRABLE, ...: checked by the AST builder.
transactionMode
    : (NOT | identifier)+
    ;

assignment
    : identifier EQ expression
    ;

settingName
    : STRING
    | identifier (DOT identifier)*
    ;

settingValue
    : STRING
    | MINUS? number
    | identifier
    | DEFAULT
    | ON
    ;

tableElements
    : LPAREN tableElement (COMMA tableElement)* RPAREN
    ;

tableElement
    : columnDefinition
    | WATERMARK FOR identifier AS expression
    | PRIMARY KEY columnList
    ;

columnDefinition
    : identifier typeName (KEY | PRIMARY KEY)?
    ;

withProperties
    : WITH LPAREN property (COMMA property)* RPAREN
    ;

property
    : identifier EQ propertyValue
    ;

propertyValue
    : STRING
    | MINUS? number
    | booleanValue
    | identifier
    ;

insertSource
    : VALUES valuesRow (COMMA valuesRow)*
    | query
    ;

columnList
    : LPAREN identifier (COMMA identifier)* RPAREN
    ;

valuesRow
    : LPAREN expression (COMMA expression)* RPAREN
    ;

query
    : (WITH commonTableExpression (COMMA commonTableExpression)*)?
      queryTerm
      (ORDER BY sortItem (COMMA sortItem)*)?
      emitClause?
      (LIMIT (limit=INTEGER_VALUE | ALL))?
      (OFFSET offset=INTEGER_VALUE (ROW | ROWS)?)?
    ;

commonTableExpression
    : identifier columnList? AS LPAREN query RPAREN
    ;

queryTerm
    : queryPrimary                                                              # queryTermDefault
    | left=queryTerm op=INTERSECT setQuantifier? right=queryTerm                # setOperation
    | left=queryTerm op=(UNION | EXCEPT) setQuantifier? right=queryTerm         # setOperation
    ;

setQuantifier
    : ALL
    | DISTINCT
    ;

queryPrimary
    : querySpecification                                                        # queryPrimaryDefault
    | VALUES valuesRow (COMMA valuesRow)*                                       # inlineValues
    | LPAREN query RPAREN                                                       # subqueryPrimary
    ;

querySpecification
    : SELECT DISTINCT? selectItem (COMMA selectItem)*
      (FROM relation (COMMA relation)*)?
      windowClause?
      (WHERE where=expression)?
      (GROUP BY groupBy+=expression (COMMA groupBy+=expression)*)?
      (HAVING having=expression)?
      (PARTITION BY partitionBy+=expression (COMMA partitionBy+=expression)*)?
    ;

sortItem
    : expression ordering=(ASC | DESC)? (NULLS nullOrdering=(FIRST | LAST))?
    ;

emitClause
    : EMIT CHANGES
    | EMIT FINAL
    | EMIT ON WINDOW CLOSE
    ;

windowClause
    : WINDOW kind=TUMBLING LPAREN SIZE size=duration windowOption* RPAREN
    | WINDOW kind=HOPPING LPAREN SIZE size=duration COMMA ADVANCE BY advance=duration windowOption* RPAREN
    | WINDOW kind=SESSION LPAREN gap=duration windowOption* RPAREN
    | WINDOW kind=SLIDING LPAREN SIZE size=duration windowOption* RPAREN
    ;

windowOption
    : COMMA RETENTION retention=duration
    | COMMA GRACE PERIOD grace=duration
    ;

duration
    : INTEGER_VALUE identifier
    ;

selectItem
    : ASTERISK                                # selectAll
    | identifier DOT ASTERISK                 # selectAllFrom
    | expression (AS? identifier)?            # selectExpression
    ;

relation
    : left=relation CROSS JOIN right=relationPrimary                                        # crossJoin
    | left=relation joinType JOIN right=relationPrimary (withinClause? joinCriteria withinClause?)? # joinRelation
    | relationPrimary                                                                       # relationDefault
    ;

joinType
    : INNER?
    | LEFT OUTER?
    | RIGHT OUTER?
    | FULL OUTER?
    ;

joinCriteria
    : ON expression
    | USING LPAREN identifier (COMMA identifier)* RPAREN
    ;

withinClause
    : WITHIN (before=duration | LPAREN before=duration COMMA after=duration RPAREN) (GRACE PERIOD grace=duration)?
    ;

relationPrimary
    : qualifiedName (AS? alias=identifier columnList?)?                                     # tableName
    | LPAREN query RPAREN (AS? alias=identifier columnList?)?                                # subqueryRelation
    | (schema=identifier DOT)? functionIdentifier=identifier LPAREN expression (COMMA expression)* RPAREN (AS? alias=identifier columnList?)? # tableFunction
    | LPAREN relation RPAREN                                                                # parenthesizedRelation
    ;

expression
    : booleanExpression
    ;

booleanExpression
    : valueExpression predicate?                                  # predicated
    | NOT booleanExpression                                       # logicalNot
    | left=booleanExpression AND right=booleanExpression          # logicalAnd
    | left=booleanExpression OR right=booleanExpression           # logicalOr
    ;

predicate
    : comparisonOperator right=valueExpression                                      # comparison
    | NOT? BETWEEN lower=valueExpression AND upper=valueExpression                  # between
    | NOT? IN LPAREN query RPAREN                                                   # inSubquery
    | NOT? IN LPAREN expression (COMMA expression)* RPAREN                          # inList
    | NOT? op=(LIKE | ILIKE) pattern=valueExpression (ESCAPE escape=valueExpression)? # like
    | IS NOT? NULL                                                                  # isNull
    | IS NOT? booleanValue                                                          # isBoolean
    | IS NOT? DISTINCT FROM right=valueExpression                                   # isDistinctFrom
    | regexOperator right=valueExpression                                           # regexMatch
    ;

// POSIX regular expression match (psql's catalog queries): ~, !~, ~*, !~*, or OPERATOR(pg_catalog.~).
regexOperator
    : op=(TILDE | NOT_TILDE | TILDE_STAR | NOT_TILDE_STAR)
    | OPERATOR LPAREN (identifier DOT)? op=(TILDE | NOT_TILDE | TILDE_STAR | NOT_TILDE_STAR) RPAREN
    ;

comparisonOperator
    : EQ | NEQ | LT | LTE | GT | GTE
    ;

valueExpression
    : primaryExpression                                                   # valueDefault
    | op=(MINUS | PLUS) valueExpression                                   # arithmeticUnary
    | left=valueExpression op=(ASTERISK | SLASH | PERCENT) right=valueExpression # arithmeticMultiplicative
    | left=valueExpression op=(PLUS | MINUS) right=valueExpression        # arithmeticAdditive
    | left=valueExpression CONCAT right=valueExpression                   # concatenation
    | left=valueExpression op=(ARROW | DOUBLE_ARROW) right=valueExpression # jsonAccess
    ;

primaryExpression
    : NULL                                                                # nullLiteral
    | booleanValue                                                        # booleanLiteral
    | number                                                              # numericLiteral
    | STRING                                                              # stringLiteral
    | ESCAPE_STRING                                                       # escapeStringLiteral
    | INTERVAL STRING identifier?                                         # intervalLiteral
    | identifier STRING                                                   # typedLiteral
    | PARAMETER                                                           # parameter
    | EXISTS LPAREN query RPAREN                                          # exists
    | EXTRACT LPAREN field=identifier FROM valueExpression RPAREN          # extract
    | kind=(CURRENT_TIMESTAMP | CURRENT_DATE)                             # currentTime
    | LPAREN query RPAREN                                                 # scalarSubquery
    | ARRAY LBRACKET (expression (COMMA expression)*)? RBRACKET           # arrayConstructor
    | ARRAY LPAREN query RPAREN                                           # arraySubquery
    | MAP LPAREN (mapEntry (COMMA mapEntry)*)? RPAREN                     # mapConstructor
    | STRUCT LPAREN (structEntry (COMMA structEntry)*)? RPAREN            # structConstructor
    | primaryExpression LBRACKET index=valueExpression RBRACKET           # subscript
    | CASE operand=expression? whenClause+ (ELSE elseExpression=expression)? END # caseExpression
    | CAST LPAREN expression AS typeName RPAREN                          # cast
    | primaryExpression DOUBLE_COLON typeName                             # postgresCast
    | primaryExpression COLLATE (schema=identifier DOT)? (collation=identifier | DEFAULT) # collate
    | functionName LPAREN (ASTERISK | (DISTINCT? expression (COMMA expression)*))? RPAREN overClause? # functionCall
    | identifier DOT identifier                                           # qualifiedColumn
    | identifier                                                          # columnReference
    | LPAREN expression RPAREN                                            # parenthesized
    ;

// A window function's OVER (PARTITION BY ... ORDER BY ...); the planner accepts only ROW_NUMBER() in the Top-N shape.
overClause
    : OVER LPAREN (PARTITION BY partition+=expression (COMMA partition+=expression)*)? (ORDER BY sortItem (COMMA sortItem)*)? RPAREN
    ;

// left and right are reserved for joins but, as in PostgreSQL, still name functions.
functionName
    : (schema=identifier DOT)? identifier
    | LEFT
    | RIGHT
    ;

// ksqlDB's MAP('k' := v, ...) and STRUCT(f := v, ...) constructors.
mapEntry
    : key=expression COLON_EQUALS value=expression
    ;

structEntry
    : identifier COLON_EQUALS expression
    ;

whenClause
    : WHEN condition=expression THEN result=expression
    ;

typeName
    : ARRAY LT typeName GT                                                              # arrayType
    | MAP LT key=typeName COMMA value=typeName GT                                       # mapType
    | STRUCT LT (structField (COMMA structField)*)? GT                                  # structType
    | typeName LBRACKET RBRACKET                                                        # postgresArrayType
    | (schema=identifier DOT)? typeIdentifier=identifier (PRECISION | VARYING)? (LPAREN INTEGER_VALUE (COMMA INTEGER_VALUE)? RPAREN)?
        ((WITH | WITHOUT) TIME ZONE)?                                                   # simpleType
    ;

structField
    : identifier typeName
    ;

qualifiedName
    : identifier (DOT identifier)?
    ;

booleanValue
    : TRUE | FALSE
    ;

number
    : INTEGER_VALUE
    | DECIMAL_VALUE
    ;

identifier
    : IDENTIFIER
    | QUOTED_IDENTIFIER
    | nonReserved
    ;

// Keywords that may also be used as names (column called "key", a stream called "topics", ...).
nonReserved
    : ADVANCE | ASC | CHANGES | CLOSE | DELETE | DESC | DESCRIBE | EMIT | EXPLAIN | EXTENDED | FINAL | FIRST | FLUSH
    | FUNCTION | FUNCTIONS | GRACE | HOPPING | KEY | LAST | LOCAL | MAP | MATERIALIZED | NULLS | PERIOD | PROPERTIES
    | QUERIES | REPLACE | RESET | RETENTION | ROW | ROWS | SESSION | SHOW | SINK | SINKS | SIZE | SLIDING | SOURCE
    | SOURCES | STREAM | STREAMS | STRUCT | SUBSCRIBE | TABLES | TERMINATE | TIME | TOPIC | TOPICS | TUMBLING
    | UPDATE | VIEW | VIEWS | VALUES | ESCAPE | INTERVAL | IF | PRECISION | VARYING | WATERMARK | WITHOUT | ZONE
    | BEGINNING | PRINT
    | ABORT | BEGIN | CHAIN | COMMIT | DISCARD | NO | PLANS | ROLLBACK | SEQUENCES | START | TEMP | TEMPORARY
    | TRANSACTION | WORK | USER | PASSWORD
    | COPY | STDOUT | DECLARE | CURSOR | FETCH | FORWARD | HOLD | SCROLL | OPERATOR | COLLATE
    | ANALYZE | RESTART | QUERY
    ;

ADVANCE: 'ADVANCE';
ALL: 'ALL';
ANALYZE: 'ANALYZE';
AND: 'AND';
ARRAY: 'ARRAY';
AS: 'AS';
ASC: 'ASC';
BEGINNING: 'BEGINNING';
BETWEEN: 'BETWEEN';
BY: 'BY';
CASE: 'CASE';
CAST: 'CAST';
CHANGES: 'CHANGES';
CLOSE: 'CLOSE';
CREATE: 'CREATE';
CROSS: 'CROSS';
CURRENT_DATE: 'CURRENT_DATE';
CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP';
DEFAULT: 'DEFAULT';
DELETE: 'DELETE';
DESC: 'DESC';
DESCRIBE: 'DESCRIBE';
DISTINCT: 'DISTINCT';
DROP: 'DROP';
ELSE: 'ELSE';
EMIT: 'EMIT';
END: 'END';
ESCAPE: 'ESCAPE';
EXCEPT: 'EXCEPT';
EXISTS: 'EXISTS';
EXPLAIN: 'EXPLAIN';
EXTENDED: 'EXTENDED';
EXTRACT: 'EXTRACT';
FALSE: 'FALSE';
FINAL: 'FINAL';
FIRST: 'FIRST';
FLUSH: 'FLUSH';
FOR: 'FOR';
FROM: 'FROM';
FULL: 'FULL';
FUNCTION: 'FUNCTION';
FUNCTIONS: 'FUNCTIONS';
GRACE: 'GRACE';
GROUP: 'GROUP';
HAVING: 'HAVING';
HOPPING: 'HOPPING';
IF: 'IF';
ILIKE: 'ILIKE';
IN: 'IN';
INNER: 'INNER';
INSERT: 'INSERT';
INTERSECT: 'INTERSECT';
INTERVAL: 'INTERVAL';
INTO: 'INTO';
IS: 'IS';
JOIN: 'JOIN';
KEY: 'KEY';
LAST: 'LAST';
LEFT: 'LEFT';
LIKE: 'LIKE';
LIMIT: 'LIMIT';
LOCAL: 'LOCAL';
MAP: 'MAP';
MATERIALIZED: 'MATERIALIZED';
NOT: 'NOT';
NULL: 'NULL';
NULLS: 'NULLS';
OFFSET: 'OFFSET';
ON: 'ON';
OR: 'OR';
ORDER: 'ORDER';
OUTER: 'OUTER';
OVER: 'OVER';
PARTITION: 'PARTITION';
PERIOD: 'PERIOD';
PRECISION: 'PRECISION';
PRIMARY: 'PRIMARY';
PRINT: 'PRINT';
PROPERTIES: 'PROPERTIES';
QUERIES: 'QUERIES';
QUERY: 'QUERY';
REPLACE: 'REPLACE';
RESET: 'RESET';
RESTART: 'RESTART';
RETENTION: 'RETENTION';
RIGHT: 'RIGHT';
ROW: 'ROW';
ROWS: 'ROWS';
SELECT: 'SELECT';
SESSION: 'SESSION';
SET: 'SET';
SHOW: 'SHOW';
SINK: 'SINK';
SINKS: 'SINKS';
SIZE: 'SIZE';
SLIDING: 'SLIDING';
SOURCE: 'SOURCE';
SOURCES: 'SOURCES';
STREAM: 'STREAM';
STREAMS: 'STREAMS';
STRUCT: 'STRUCT';
SUBSCRIBE: 'SUBSCRIBE';
TABLE: 'TABLE';
TABLES: 'TABLES';
TERMINATE: 'TERMINATE';
THEN: 'THEN';
TIME: 'TIME';
TO: 'TO';
TOPIC: 'TOPIC';
TOPICS: 'TOPICS';
TRUE: 'TRUE';
TUMBLING: 'TUMBLING';
UNION: 'UNION';
UPDATE: 'UPDATE';
USING: 'USING';
VALUES: 'VALUES';
VARYING: 'VARYING';
VIEW: 'VIEW';
VIEWS: 'VIEWS';
WATERMARK: 'WATERMARK';
WHEN: 'WHEN';
WHERE: 'WHERE';
WINDOW: 'WINDOW';
WITH: 'WITH';
WITHIN: 'WITHIN';
WITHOUT: 'WITHOUT';
ZONE: 'ZONE';

// Session and transaction keywords.
ABORT: 'ABORT';
BEGIN: 'BEGIN';
CHAIN: 'CHAIN';
COMMIT: 'COMMIT';
DISCARD: 'DISCARD';
NO: 'NO';
PLANS: 'PLANS';
ROLLBACK: 'ROLLBACK';
SEQUENCES: 'SEQUENCES';
START: 'START';
TEMP: 'TEMP';
TEMPORARY: 'TEMPORARY';
TRANSACTION: 'TRANSACTION';
WORK: 'WORK';
USER: 'USER';
PASSWORD: 'PASSWORD';
COPY: 'COPY';
STDOUT: 'STDOUT';
DECLARE: 'DECLARE';
CURSOR: 'CURSOR';
FETCH: 'FETCH';
FORWARD: 'FORWARD';
HOLD: 'HOLD';
SCROLL: 'SCROLL';
OPERATOR: 'OPERATOR';
COLLATE: 'COLLATE';

EQ: '=';
NEQ: '<>' | '!=';
LT: '<';
LTE: '<=';
GT: '>';
GTE: '>=';
PLUS: '+';
MINUS: '-';
ASTERISK: '*';
SLASH: '/';
PERCENT: '%';
CONCAT: '||';
DOUBLE_ARROW: '->>';
ARROW: '->';
LBRACKET: '[';
RBRACKET: ']';
DOUBLE_COLON: '::';
COLON_EQUALS: ':=';
TILDE: '~';
NOT_TILDE: '!~';
TILDE_STAR: '~*';
NOT_TILDE_STAR: '!~*';
LPAREN: '(';
RPAREN: ')';
COMMA: ',';
DOT: '.';
SEMI: ';';

ESCAPE_STRING
    : 'E\'' ( ~['\\] | '\\' . | '\'\'' )* '\''
    ;

STRING
    : '\'' ( ~'\'' | '\'\'' )* '\''
    ;

INTEGER_VALUE
    : DIGIT+
    ;

DECIMAL_VALUE
    : DIGIT+ '.' DIGIT* EXPONENT?
    | '.' DIGIT+ EXPONENT?
    | DIGIT+ EXPONENT
    ;

PARAMETER
    : '$' DIGIT+
    ;

IDENTIFIER
    : [A-Z_\u0080-\uFFFF] [A-Z_0-9$\u0080-\uFFFF]*
    ;

QUOTED_IDENTIFIER
    : '"' ( ~'"' | '""' )* '"'
    ;

fragment EXPONENT: 'E' [+-]? DIGIT+;
fragment DIGIT: [0-9];

LINE_COMMENT: '--' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT: '/*' .*? '*/' -> channel(HIDDEN);
WS: [ \t\r\n]+ -> channel(HIDDEN);

// Any other character becomes a token the parser rejects, so the error has a position.
UNRECOGNIZED: .;
