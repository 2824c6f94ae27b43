-- wrk script shared by every scenario of benches/oidc.sh (Sesame and the peer alike).
--
-- The request comes from the environment, so one script serves GETs and POSTs:
--   WRK_METHOD  GET (default) or POST
--   WRK_BODY    request body (POST only)
--   WRK_CTYPE   Content-Type header (set when WRK_BODY is given; default form-urlencoded)
--   WRK_AUTH    full Authorization header value, e.g. "Basic YmVuY2g6YmVuY2gtc2VjcmV0"
--
-- The `done` hook prints one machine-readable line that oidc.sh uses to decide whether a
-- run was clean: a failing endpoint must never be mistaken for a fast one. wrk counts
-- HTTP status >= 400 in errors.status; oidc.sh also checks each endpoint answers exactly
-- 200 (with the expected body) before it puts load on it.
local method = os.getenv("WRK_METHOD") or "GET"
local body   = os.getenv("WRK_BODY")
local ctype  = os.getenv("WRK_CTYPE")
local auth   = os.getenv("WRK_AUTH")

wrk.method = method
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = (ctype and ctype ~= "") and ctype or "application/x-www-form-urlencoded"
end
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKSTATS requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
