-- wrk script: POST a copyImage SOAP envelope with a fresh asset name each time.
--
--   wrk -t2 -c32 -d10s --latency -s bench/copyimage.lua \
--       http://127.0.0.1:PORT/scene7/services/IpsApiService -- TAG [MODIFIER]
--
-- The emulator rejects a repeated name (fault 30000, HTTP 500), so every
-- request is named "bench-TAG-THREAD-COUNTER": THREAD is given to each wrk
-- thread in setup(), COUNTER counts that thread's requests, and TAG (the
-- first argument after `--`; default: the start time) keeps names unique
-- across runs against the same server. The same script drives the baseline
-- server, so both receive identical request bytes apart from the tag.
--
-- done() prints machine-readable lines, "BENCH <key> <value>", after wrk's
-- own report: requests, duration_us, rps, p50_us/p90_us/p99_us/max_us,
-- non200 (responses whose status was not 200, counted by the response()
-- hook, which slows wrk a little), socket errors, and one sample non-200
-- body (sample_status / sample_body) when there was one.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local prefix = [[<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>ipsuser@ips.test</user><password>ips-emulator</password><appName>bench</appName><appVersion>1.0</appVersion></authHeader></soapenv:Header><soapenv:Body><copyImageParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15"><companyHandle>c|6</companyHandle><assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>]]
local suffix = [[</name><urlModifier/></copyImageParam></soapenv:Body></soapenv:Envelope>]]
-- With a second argument (an XML-escaped urlModifier), every other request
-- renders with it.
local render_suffix = nil

local headers = {
   ["Content-Type"] = "text/xml; charset=utf-8",
   ["SOAPAction"] = '"copyImage"',
}

-- Per-thread state (each wrk thread has its own Lua state).
local name_prefix
local counter = 0
non200 = 0
sample_status = nil
sample_body = nil

function init(args)
   if args[2] ~= nil and args[2] ~= "" then
      render_suffix = "</name><urlModifier>" .. args[2] .. "</urlModifier></copyImageParam></soapenv:Body></soapenv:Envelope>"
   end
   local tag = args[1] or tostring(os.time())
   name_prefix = "bench-" .. tag .. "-" .. tostring(id) .. "-"
end

function request()
   counter = counter + 1
   local tail = suffix
   if render_suffix ~= nil and counter % 2 == 0 then
      tail = render_suffix
   end
   return wrk.format("POST", nil, headers, prefix .. name_prefix .. counter .. tail)
end

function response(status, hdrs, body)
   if status ~= 200 then
      non200 = non200 + 1
      if sample_body == nil then
         sample_status = status
         sample_body = body
      end
   end
end

function done(summary, latency, requests)
   local non = 0
   local s_status, s_body
   for _, t in ipairs(threads) do
      non = non + (t:get("non200") or 0)
      if s_body == nil and t:get("sample_body") ~= nil then
         s_status = t:get("sample_status")
         s_body = t:get("sample_body")
      end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   local out = {
      { "requests", summary.requests },
      { "duration_us", summary.duration },
      { "rps", string.format("%.1f", summary.requests / secs) },
      { "p50_us", latency:percentile(50) },
      { "p90_us", latency:percentile(90) },
      { "p99_us", latency:percentile(99) },
      { "max_us", latency.max },
      { "non200", non },
      { "errors_connect", e.connect },
      { "errors_read", e.read },
      { "errors_write", e.write },
      { "errors_timeout", e.timeout },
   }
   for _, kv in ipairs(out) do
      io.write(string.format("BENCH %s %s\n", kv[1], tostring(kv[2])))
   end
   if s_body ~= nil then
      io.write(string.format("BENCH sample_status %s\n", tostring(s_status)))
      io.write(string.format("BENCH sample_body %s\n", (tostring(s_body):gsub("[\r\n]", " "))))
   end
end
