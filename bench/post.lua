-- wrk script for the gateway bench: one small non-streaming chat request per call.
-- The model comes from BENCH_MODEL ("demo-model" through the gateway, "echo" straight at the fake upstream).
--   BENCH_MODEL=demo-model wrk -t1 -c1 -d10s --latency -s bench/post.lua http://127.0.0.1:PORT/v1/chat/completions
local model = os.getenv("BENCH_MODEL") or "demo-model"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Say hello to the benchmark"}],"max_tokens":16}'
