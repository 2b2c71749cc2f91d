-- wrk script for the mint phase: every request is POST /api/v1/tickets with the bench key.
-- Usage: wrk ... -s bench/phases/mint.lua <url> -- <api key> <max requests per thread>
-- The request cap makes the run count-bounded as well as time-bounded (-d).

local max_requests = 0
local answered = 0

-- Runs once per wrk thread; the request is built from wrk.* after it returns.
function init(args)
  wrk.method = "POST"
  wrk.path = "/api/v1/tickets"
  wrk.body = '{"subject":"alice"}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  max_requests = tonumber(args[2]) or 0
end

-- Defining response() costs a little per request; it is what lets the count bound work.
function response(status, headers, body)
  answered = answered + 1
  if max_requests > 0 and answered >= max_requests then
    wrk.thread:stop()
  end
end

-- One JSON line on stdout for the harness; latencies are in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
