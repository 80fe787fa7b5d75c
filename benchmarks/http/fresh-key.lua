-- POST /orders with a fresh requestId each time and, when HEADER is set, a fresh Idempotency-Key:
-- every request is a first run (the filter's fresh-key path, or the annotated method alone).
local counter = 0
local thread_id = 0
local header = os.getenv("IDEMPOTENCY_HEADER") == "1"
local replay = os.getenv("IDEMPOTENCY_REPLAY") == "1"

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local id = replay and "replay-1" or string.format("%s-%d-%d", os.getenv("RUN_ID") or "run", tid, counter)
  local headers = { ["Content-Type"] = "application/json" }
  if header then
    headers["Idempotency-Key"] = "k-" .. id
  end
  local body = string.format('{"requestId":"%s","item":"book","quantity":2}', id)
  return wrk.format("POST", "/orders", headers, body)
end
