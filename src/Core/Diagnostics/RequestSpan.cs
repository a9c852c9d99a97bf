using System.Diagnostics;

namespace Gateway.Diagnostics;

/// <summary>Closes a request's span with the log line's outcome (GenAI and HTTP attributes; no prompt text).</summary>
internal static class RequestSpan
{
    public static void End(Activity? span, RequestLog log)
    {
        if (span is null)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag("http.response.status_code", log.HttpStatus);
            span.SetTag("gateway.end_reason", log.EndReason);
            span.SetTag("gateway.client", log.Client);
            span.SetTag("gateway.attempts", log.Attempts);
            if (log.Model is { } model)
            {
                span.SetTag("gen_ai.operation.name", "chat");
                span.SetTag("gen_ai.request.model", model);
            }

            if (log.Provider is { } provider)
            {
                span.SetTag("gateway.provider", provider);
                span.SetTag("gen_ai.response.model", log.TargetModel);
            }

            if (log.PromptTokens is { } input)
            {
                span.SetTag("gen_ai.usage.input_tokens", input);
            }

            if (log.CompletionTokens is { } output)
            {
                span.SetTag("gen_ai.usage.output_tokens", output);
            }

            if (log.HttpStatus >= 500)
            {
                span.SetTag("error.type", log.EndReason);
                span.SetStatus(ActivityStatusCode.Error);
            }
        }

        span.Dispose();
    }
}
