-- wrk script for bench_visitors.py: every request carries the visitor's cookies (a cart
-- session or a signed-in customer's), taken from the BENCH_COOKIE environment variable, and
-- asks for an uncompressed page, as the bare page is served, from the browser the cookies
-- were made with (BENCH_USER_AGENT).
local cookie = os.getenv("BENCH_COOKIE") or ""

wrk.headers["Accept-Encoding"] = "identity"
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
