-- Readers for wrk (bench/loadgen.py, read_with_wrk): each connection reads the paths
-- given after "--" in turn, starting at its own offset, after an optional think time
-- (the first argument, in ms). Counts statuses per thread and prints one JSON line.
--   wrk -t2 -c200 -d60s -s bench/readers.lua http://127.0.0.1:8000 -- 0 /path/a /path/b

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  think = tonumber(args[1]) or 0
  paths = {}
  for i = 2, #args do paths[#paths + 1] = args[i] end
  n = (id * 7919) % #paths
  counts = {}
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], {["Accept"] = "application/json", ["Accept-Language"] = "en"})
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function delay()
  if think > 0 then return math.random(0, 2 * think) end
  return 0
end

function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, count in pairs(c) do
      statuses[tostring(status)] = (statuses[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(statuses) do parts[#parts + 1] = string.format('"%s": %d', status, count) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
