#!/usr/bin/env python3
"""CPU of the gateway by component, from `perf script` output of `perf record -g` on the gateway process
(started with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0, so perf can name JIT-compiled
frames). Each sample goes to the component of the frame nearest the leaf that matches a rule below: a
component is charged its own code and what it causes underneath (allocation and the GC it triggers,
system calls, runtime helpers). Samples in send/recv/write without a managed frame above them (libc has
no frame pointers, so the unwind stops there) go by the call: socket I/O, or the console log's write.

usage: components.py <perf script output> [µs of CPU per request]   (see bench/README.md, "Profiling")
"""
import collections
import re
import sys

RULES = [
    ("request log line (formatting, queue, console writer thread)",
     r"Gateway\.Diagnostics\.GatewayLog|Microsoft\.Extensions\.Logging|ConsoleLogger|SimpleConsoleFormatter|ConsoleFormatter"
     r"|^__GI___libc_write |^__libc_write |^write "),
    ("ASP.NET Core request activity and log scope; HttpClient activity",
     r"System\.Diagnostics\.Activity|HostingApplicationDiagnostics|DiagnosticsHandler|ActivitySpanId|ActivityTraceId"
     r"|Gateway\.Diagnostics\.TraceContext"),
    ("request id, CORS, client key, rate limit",
     r"Gateway\.Endpoints\.RequestExchange|Gateway\.Endpoints\.RequestIds|ClientKind|CorsPolicy|ClientAuthenticator"
     r"|ClientRateLimiter|System\.Guid"),
    ("request body read", r"Gateway\.Endpoints\.RequestBody|Gateway\.Endpoints\.BoundedRead"),
    ("request parse and checks", r"OpenAIChatRequestParser|Gateway\.Json\.JsonObjectIndex|Gateway\.Json\.JsonStrings"),
    ("upstream body (rewrite)", r"OpenAIChatRequestBuilder|Gateway\.Json\.JsonObjectRewriter|UntranslatableRequest"),
    ("answer and stream processing (scan, SSE parse and write, clocks)",
     r"OpenAIChatCompletionProcessor|ChunkScan|OpenAIChatStreamProcessor|CodecGuard|OpenAIPassThroughCodec|SseEventReader"
     r"|SseParser|SseResponseWriter|ReadActivityStream|StreamClock"),
    ("upstream call (HttpClient, headers, connection pool)",
     r"System\.Net\.Http\.|Gateway\.Providers\.UpstreamSender|UpstreamRequestFactory|Microsoft\.Extensions\.Http"),
    ("routing, failover, circuit breaker (Polly)",
     r"Gateway\.Routing\.|Polly\.|Gateway\.Pipeline\.CodecSelector|ConcurrencyGate|SessionAffinity|SessionKeys"),
    ("gateway handlers and runners (async state machines)", r"Gateway\."),
    ("Kestrel HTTP/1.1 server", r"Microsoft\.AspNetCore\.Server\.Kestrel|System\.IO\.Pipelines|MemoryPool"),
    ("ASP.NET Core hosting and routing", r"Microsoft\.AspNetCore\."),
    ("socket I/O (send/recv/epoll, incl. loopback TCP in the kernel)",
     r"System\.Net\.Sockets|SocketAsyncEngine|libSystem\.Native|^__send |^__libc_recv |^epoll_wait |__libc_sendmsg|__libc_recvmsg"),
    ("thread pool, task continuations, wake-ups",
     r"System\.Threading\.|System\.Runtime\.CompilerServices\.Async|Task|^pthread_cond|^__futex|^__GI___lll_lock|sched_yield"),
]
COMPILED = [(name, re.compile(pattern)) for name, pattern in RULES]
OTHER = "runtime without a managed frame (GC threads, JIT, tiering, stubs)"


def classify(frames):
    for frame in frames:
        for name, rule in COMPILED:
            if rule.search(frame):
                return name
    return OTHER


def samples(path):
    frames = None
    for line in open(path, errors="replace"):
        if not line.strip():
            if frames is not None:
                yield frames
            frames = None
        elif not line.startswith((" ", "\t")):
            if frames is not None:
                yield frames
            frames = []
        else:
            parts = line.strip().split(" ", 1)
            symbol = re.sub(r"\+0x[0-9a-f]+", "", parts[1] if len(parts) > 1 else parts[0])
            frames.append(re.sub(r"\[(Optimized|OptimizedTier1|Tier0|Tier1|QuickJitted|PreJIT|Instrumented|OSR)\]", "", symbol).strip())
    if frames is not None:
        yield frames


def main():
    path = sys.argv[1]
    per_request = float(sys.argv[2]) if len(sys.argv) > 2 else None
    counts = collections.Counter(classify(frames) for frames in samples(path))
    total = sum(counts.values())
    print(f"{total} samples" + (f", {per_request:.1f} µs of CPU per request" if per_request else ""))
    for name, count in counts.most_common():
        share = count / total
        micro = f"{share * per_request:6.1f} µs  " if per_request else ""
        print(f"{100 * share:5.1f} %  {micro}{name}")


if __name__ == "__main__":
    main()
