using System.Runtime.CompilerServices;
using Antlr4.Runtime;

namespace StreamSql.Parser.Generated;

/// <summary>Makes every rule entry check the stack, so deeply nested input fails with an error instead of a stack overflow.</summary>
public partial class StreamSqlParser
{
    public override void EnterRule(ParserRuleContext localctx, int state, int ruleIndex)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        base.EnterRule(localctx, state, ruleIndex);
    }

    public override void EnterRecursionRule(ParserRuleContext localctx, int state, int ruleIndex, int precedence)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        base.EnterRecursionRule(localctx, state, ruleIndex, precedence);
    }
}
