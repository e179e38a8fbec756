-- One wrk script for every scenario of bench/run.sh, chosen by environment variables:
--   SCENARIO   get-id | get-id-once | get-sku | path | create | stock | batch
--              (get-id-once reads every key once, in order, then stops: warms the read cache)
--   KEYS_FILE  one id or SKU per line (get-id, get-sku, stock)
--   REQ_PATH   the request path and query (path)
--   RUN_ID     a short unique word; POST scenarios put it in every SKU
--   BATCH_SIZE products per batch request (batch)
--   BEARER     optional token sent as "Authorization: Bearer ..." on writes
--   RESULT     file the done() hook appends one JSON line to
local scenario = os.getenv("SCENARIO")
local run_id = os.getenv("RUN_ID") or "R"
local bearer = os.getenv("BEARER")
local batch_size = tonumber(os.getenv("BATCH_SIZE") or "1000")
local keys = {}
local counter = 0
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_no", next_thread)
end

function init(args)
  local f = os.getenv("KEYS_FILE")
  if f and f ~= "" then
    for line in io.lines(f) do
      if line ~= "" then keys[#keys + 1] = line end
    end
  end
  math.randomseed(os.time() + (thread_no or 0) * 7919)
end

local function write_headers(h)
  h["Content-Type"] = "application/json"
  if bearer and bearer ~= "" then h["Authorization"] = "Bearer " .. bearer end
  return h
end

local function sku(prefix)
  counter = counter + 1
  return prefix .. run_id .. "-" .. tostring(thread_no or 0) .. "-" .. counter
end

local function product_json(s)
  return '{"sku":"' .. s .. '","name":"Bench widget ' .. s .. '","description":"Made by the benchmark",'
    .. '"price":12.34,"categoryId":1,"tags":["bench"],"stockQuantity":100}'
end

local sent = 0
local answered = 0

function response(status, headers, body)
  answered = answered + 1
  if scenario == "get-id-once" and answered >= #keys then wrk.thread:stop() end
end

function request()
  if scenario == "get-id-once" then
    sent = sent + 1
    return wrk.format("GET", "/api/v1/products/" .. keys[((sent - 1) % #keys) + 1])
  elseif scenario == "get-id" or scenario == "get-sku" then
    local prefix = scenario == "get-id" and "/api/v1/products/" or "/api/v1/products/by-sku/"
    return wrk.format("GET", prefix .. keys[math.random(#keys)])
  elseif scenario == "path" then
    return wrk.format("GET", os.getenv("REQ_PATH"))
  elseif scenario == "create" then
    return wrk.format("POST", "/api/v1/products", write_headers({}), product_json(sku("C")))
  elseif scenario == "stock" then
    local id = keys[math.random(#keys)]
    local delta = (math.random(2) == 1) and 1 or -1
    return wrk.format("POST", "/api/v1/products/" .. id .. "/stock-adjustments", write_headers({}),
      '{"delta":' .. delta .. ',"reason":"bench"}')
  elseif scenario == "batch" then
    local base = sku("B")
    local parts = {}
    for i = 1, batch_size do parts[i] = product_json(base .. "-" .. i) end
    return wrk.format("POST", "/api/v1/products/batch", write_headers({}), '{"items":[' .. table.concat(parts, ",") .. ']}')
  end
  error("unknown SCENARIO " .. tostring(scenario))
end

function done(summary, latency, requests)
  local e = summary.errors
  local line = string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,'
      .. '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d}',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout)
  local out = os.getenv("RESULT")
  if out and out ~= "" then
    local f = io.open(out, "a")
    f:write(line, "\n")
    f:close()
  else
    print(line)
  end
end
