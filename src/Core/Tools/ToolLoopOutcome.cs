namespace Gateway.Tools;

/// <summary>How the tool loop read one reply of an upstream without tools (the <c>gateway.tool_loop.replies</c> metric).</summary>
internal enum ToolLoopOutcome
{
    /// <summary>A plain answer: shown as text.</summary>
    Text,

    /// <summary>One or more calls to declared tools: sent as tool calls.</summary>
    ToolCalls,

    /// <summary>Calls that named undeclared tools or lacked required arguments: dropped, the text shown instead.</summary>
    Rejected,
}
