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
    | INSERT INTO qualifiedName columnList? insertSource                             # insert
    | query                                                                          # selectStatement
    | SHOW what=(STREAMS | TABLES | TOPICS | QUERIES | VIEWS) EXTENDED?              # showObjects
    | SHOW ALL                                                                       # showAllSettings
    | SHOW settingName                                                               # showSetting
    | (DESCRIBE | DESC) EXTENDED? qualifiedName                                      # describe
    | DROP kind=(STREAM | TABLE | VIEW) (IF EXISTS)? qualifiedName (DELETE TOPIC)?   # drop
    | TERMINATE (identifier | ALL)                                                   # terminate
    | FLUSH                                                                          # flush
    | SET (SESSION | LOCAL)? settingName (EQ | TO) settingValue                       # set
    | RESET (settingName | ALL)                                                      # reset
    | EXPLAIN query                                                                  # explain
    // Session and transaction statements clients send (no-ops or handled by the connection).
    | (BEGIN | START TRANSACTION) (TRANSACTION | WORK)? (transactionMode (COMMA? transactionMode)*)? # beginTransaction
    | action=(COMMIT | END | ROLLBACK | ABORT) (TRANSACTION | WORK)? (AND NO? CHAIN)?  # endTransaction
    | DISCARD what=(ALL | PLANS | SEQUENCES | TEMP | TEMPORARY)                       # discard
    | SET (SESSION | LOCAL)? TIME ZONE (settingValue | LOCAL)                         # setTimeZone
    | CREATE USER identifier WITH? PASSWORD STRING                                     # createUser
    ;

// ISOLATION LEVEL READ COMMITTED, READ ONLY, NOT DEFERRABLE, ...: checked by the AST builder.
transactionMode
    : (NOT | identifier)+
    ;

settingName
    : STRING
    | identifier (DOT identifier)*
    ;

settingValue
    : STRING
    | number
    | identifier
    | DEFAULT
    | MINUS number
    ;

tableElements
    : LPAREN columnDefinition (COMMA columnDefinition)* RPAREN
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
    | number
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
    : SELECT DISTINCT? selectItem (COMMA selectItem)*
      FROM relation
      (WHERE where=expression)?
      (GROUP BY expression (COMMA expression)*)?
      (HAVING having=expression)?
      emitClause?
      (LIMIT limit=INTEGER_VALUE)?
    ;

emitClause
    : EMIT CHANGES
    | EMIT FINAL
    ;

selectItem
    : ASTERISK                                # selectAll
    | identifier DOT ASTERISK                 # selectAllFrom
    | expression (AS? identifier)?            # selectExpression
    ;

relation
    : qualifiedName (AS? identifier)?
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
    | NOT? IN LPAREN expression (COMMA expression)* RPAREN                          # inList
    | NOT? op=(LIKE | ILIKE) pattern=valueExpression (ESCAPE escape=valueExpression)? # like
    | IS NOT? NULL                                                                  # isNull
    | IS NOT? booleanValue                                                          # isBoolean
    | IS NOT? DISTINCT FROM right=valueExpression                                   # isDistinctFrom
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
    | CASE operand=expression? whenClause+ (ELSE elseExpression=expression)? END # caseExpression
    | CAST LPAREN expression AS typeName RPAREN                          # cast
    | primaryExpression DOUBLE_COLON typeName                             # postgresCast
    | identifier LPAREN (ASTERISK | (DISTINCT? expression (COMMA expression)*))? RPAREN # functionCall
    | identifier DOT identifier                                           # qualifiedColumn
    | identifier                                                          # columnReference
    | LPAREN expression RPAREN                                            # parenthesized
    ;

whenClause
    : WHEN condition=expression THEN result=expression
    ;

typeName
    : identifier (PRECISION | VARYING)? (LPAREN INTEGER_VALUE (COMMA INTEGER_VALUE)? RPAREN)?
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
    : ADVANCE | CHANGES | DELETE | DESC | DESCRIBE | EMIT | EXPLAIN | EXTENDED | FINAL | FLUSH | KEY
    | LOCAL | MATERIALIZED | QUERIES | REPLACE | RESET | SESSION | SHOW | STREAM | STREAMS | TABLES
    | TERMINATE | TOPIC | TOPICS | VIEW | VIEWS | VALUES | ESCAPE | INTERVAL | IF | PRECISION | VARYING
    | ABORT | BEGIN | CHAIN | COMMIT | DISCARD | NO | PLANS | ROLLBACK | SEQUENCES | START | TEMP | TEMPORARY
    | TIME | TRANSACTION | WORK | ZONE | USER | PASSWORD
    ;

ADVANCE: 'ADVANCE';
ALL: 'ALL';
AND: 'AND';
AS: 'AS';
BETWEEN: 'BETWEEN';
BY: 'BY';
CASE: 'CASE';
CAST: 'CAST';
CHANGES: 'CHANGES';
CREATE: 'CREATE';
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
EXISTS: 'EXISTS';
EXPLAIN: 'EXPLAIN';
EXTENDED: 'EXTENDED';
FALSE: 'FALSE';
FINAL: 'FINAL';
FLUSH: 'FLUSH';
FROM: 'FROM';
GROUP: 'GROUP';
HAVING: 'HAVING';
IF: 'IF';
ILIKE: 'ILIKE';
IN: 'IN';
INSERT: 'INSERT';
INTERVAL: 'INTERVAL';
INTO: 'INTO';
IS: 'IS';
KEY: 'KEY';
LIKE: 'LIKE';
LIMIT: 'LIMIT';
LOCAL: 'LOCAL';
MATERIALIZED: 'MATERIALIZED';
NOT: 'NOT';
NULL: 'NULL';
OR: 'OR';
PRECISION: 'PRECISION';
PRIMARY: 'PRIMARY';
QUERIES: 'QUERIES';
REPLACE: 'REPLACE';
RESET: 'RESET';
SELECT: 'SELECT';
SESSION: 'SESSION';
SET: 'SET';
SHOW: 'SHOW';
STREAM: 'STREAM';
STREAMS: 'STREAMS';
TABLE: 'TABLE';
TABLES: 'TABLES';
TERMINATE: 'TERMINATE';
THEN: 'THEN';
TO: 'TO';
TOPIC: 'TOPIC';
TOPICS: 'TOPICS';
TRUE: 'TRUE';
VALUES: 'VALUES';
VARYING: 'VARYING';
VIEW: 'VIEW';
VIEWS: 'VIEWS';
WHEN: 'WHEN';
WHERE: 'WHERE';
WITH: 'WITH';

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
TIME: 'TIME';
TRANSACTION: 'TRANSACTION';
WORK: 'WORK';
USER: 'USER';
PASSWORD: 'PASSWORD';
ZONE: 'ZONE';

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
DOUBLE_COLON: '::';
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
