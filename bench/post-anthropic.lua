-- wrk script for the gateway bench: one small non-streaming Anthropic Messages request per call
-- (the path "gateway-anthropic", BENCH_ANTHROPIC=1). The model comes from BENCH_MODEL.
--   BENCH_MODEL=demo-model wrk -t1 -c1 -d10s --latency -s bench/post-anthropic.lua http://127.0.0.1:PORT/v1/messages
local model = os.getenv("BENCH_MODEL") or "demo-model"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.body = '{"model":"' .. model .. '","max_tokens":16,"messages":[{"role":"user","content":"Say hello to the benchmark"}]}'
