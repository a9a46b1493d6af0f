-- wrk script for bench_visitors.py: every request carries the visitor's cookies (a cart
-- session or a signed-in customer's), taken from the BENCH_COOKIE environment variable, and
-- asks for an uncompressed page, as the bare page is served.
local cookie = os.getenv("BENCH_COOKIE") or ""

wrk.headers["Accept-Encoding"] = "identity"
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
