-- wrk script: the soak's mixed load (bench/soak.sh).
--
--   wrk -t2 -c16 -d30m --timeout 10s -s bench/soak.lua http://127.0.0.1:PORT -- TAG UPLOAD_DIR
--
-- Each request is drawn at random (per 100): 14 copyImage with an empty
-- urlModifier, 8 copyImage with a render (wid varies, so renderings are new
-- files), 22 deleteAsset of an earlier copy, 8 renameAsset, 20 /is/image
-- renders, 12 getAssets, 10 searchAssets, 6 UploadFile uploads.
--
-- Copies' handles are read from their replies. The first 32 of each thread
-- form a pool that is only ever renamed (renames of one asset may race:
-- each applies); the rest queue for deletion, so no request can name an
-- asset another has deleted, and deletes keep pace with copies: the
-- catalog and the store stay about the same size however long the run.
-- Uploads overwrite 16 names per thread in turn with one of the files in
-- UPLOAD_DIR (renderings of the seed photo at several widths), so each
-- replaces an asset's bytes and releases the old ones.
--
-- done() prints "BENCH <key> <value>" lines: requests, rps, latency
-- percentiles, non200, socket errors, one sample non-200 reply, and the
-- requests sent of each kind (sent_<kind>).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local NS = "http://www.scene7.com/IpsApi/xsd/2008-01-15"
local UPLOAD_NS = "http://www.scene7.com/IpsApi/xsd/2014-04-03"
local USER = "<user>ipsuser@ips.test</user><password>ips-emulator</password>"
local BOUNDARY = "soak-boundary-4b9e"
local SOAP_PATH = "/scene7/services/IpsApiService"
local KINDS = { "copy", "render", "delete", "rename", "image", "get", "search", "upload" }

local tag, name_prefix
local counter = 0
local pool, pool_next = {}, 1
local doomed, doomed_head, doomed_tail = {}, 1, 0
local files = {}
non200 = 0
sample_status = nil
sample_body = nil
sent = {}

function init(args)
   tag = args[1] or tostring(os.time())
   name_prefix = "soak-" .. tag .. "-" .. tostring(id) .. "-"
   local dir = args[2] or "."
   for i = 1, 64 do
      local f = io.open(dir .. "/" .. i .. ".jpg", "rb")
      if f == nil then break end
      files[#files + 1] = f:read("*a")
      f:close()
   end
   assert(#files > 0, "no upload files in " .. dir)
   for _, k in ipairs(KINDS) do sent[k] = 0 end
end

local function soap(op, body)
   local envelope = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd">'
      .. USER .. '</authHeader></soapenv:Header><soapenv:Body><' .. op .. 'Param xmlns="' .. NS
      .. '"><companyHandle>c|6</companyHandle>' .. body .. '</' .. op .. 'Param></soapenv:Body></soapenv:Envelope>'
   local headers = { ["Content-Type"] = "text/xml; charset=utf-8", ["SOAPAction"] = '"' .. op .. '"' }
   return wrk.format("POST", SOAP_PATH, headers, envelope)
end

local function fresh()
   counter = counter + 1
   return name_prefix .. counter
end

local function copy(modifier)
   return soap("copyImage", "<assetHandle>a|739|1|537</assetHandle><folderHandle>ApiTestCo/</folderHandle><name>"
      .. fresh() .. "</name><urlModifier>" .. modifier .. "</urlModifier>")
end

local function get_assets()
   local handle = pool[math.random(#pool)] or "a|739|1|537"
   return soap("getAssets", "<assetHandleArray><items>" .. handle .. "</items></assetHandleArray>")
end

local function upload()
   counter = counter + 1
   local auth = '<authHeader xmlns="' .. UPLOAD_NS .. '">' .. USER .. '</authHeader>'
   local params = '<uploadPostParam xmlns="' .. UPLOAD_NS .. '"><companyHandle>c|6</companyHandle><jobName>'
      .. name_prefix .. 'job' .. counter
      .. '</jobName><destFolder>ApiTestCo/uploads/</destFolder><uploadParams><overwrite>true</overwrite></uploadParams></uploadPostParam>'
   local file = "up-" .. tag .. "-" .. tostring(id) .. "-" .. (counter % 16) .. ".jpg"
   local function part(disposition, data)
      return "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; " .. disposition .. "\r\n\r\n" .. data .. "\r\n"
   end
   local body = part('name="auth"', auth) .. part('name="uploadParams"', params)
      .. part('name="file1"; filename="' .. file .. '"', files[math.random(#files)]) .. "--" .. BOUNDARY .. "--\r\n"
   local headers = { ["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY }
   return wrk.format("POST", "/scene7/UploadFile", headers, body)
end

local function draw()
   local r = math.random(100)
   if r <= 14 then return "copy" end
   if r <= 22 then return "render" end
   if r <= 44 then return doomed_head <= doomed_tail and "delete" or "get" end
   if r <= 52 then return #pool > 0 and "rename" or "get" end
   if r <= 72 then return "image" end
   if r <= 84 then return "get" end
   if r <= 94 then return "search" end
   return "upload"
end

function request()
   local kind = draw()
   sent[kind] = sent[kind] + 1
   if kind == "copy" then
      return copy("")
   elseif kind == "render" then
      return copy("wid=" .. (40 + math.random(200)) .. "&amp;fmt=png")
   elseif kind == "delete" then
      local handle = doomed[doomed_head]
      doomed[doomed_head] = nil
      doomed_head = doomed_head + 1
      return soap("deleteAsset", "<assetHandle>" .. handle .. "</assetHandle>")
   elseif kind == "rename" then
      local handle = pool[pool_next]
      pool_next = pool_next % #pool + 1
      return soap("renameAsset", "<assetHandle>" .. handle .. "</assetHandle><newName>" .. fresh()
         .. "</newName><validateName>true</validateName>")
   elseif kind == "image" then
      return wrk.format("GET", "/is/image/ApiTestCo/macbookwin1?wid=" .. (20 + math.random(400)))
   elseif kind == "get" then
      return get_assets()
   elseif kind == "search" then
      return soap("searchAssets", "<folder>ApiTestCo/</folder><includeSubfolders>true</includeSubfolders>"
         .. "<systemFieldConditionArray><items><field>Name</field><op>StartsWith</op><value>" .. name_prefix
         .. math.random(9) .. "</value></items></systemFieldConditionArray><recordsPerPage>20</recordsPerPage><resultsPage>1</resultsPage>")
   end
   return upload()
end

function response(status, hdrs, body)
   if status ~= 200 then
      non200 = non200 + 1
      if sample_body == nil then
         sample_status = status
         sample_body = body
      end
      return
   end
   if body:find("copyImageReturn", 1, true) then
      local handle = body:match("<assetHandle>([^<]+)</assetHandle>")
      if handle ~= nil then
         if #pool < 32 then
            pool[#pool + 1] = handle
         else
            doomed_tail = doomed_tail + 1
            doomed[doomed_tail] = handle
         end
      end
   end
end

function done(summary, latency, requests)
   local non = 0
   local s_status, s_body
   local per_kind = {}
   for _, t in ipairs(threads) do
      non = non + (t:get("non200") or 0)
      if s_body == nil and t:get("sample_body") ~= nil then
         s_status = t:get("sample_status")
         s_body = t:get("sample_body")
      end
      local s = t:get("sent")
      for _, k in ipairs(KINDS) do per_kind[k] = (per_kind[k] or 0) + (s and s[k] or 0) end
   end
   local e = summary.errors
   local out = {
      { "requests", summary.requests },
      { "duration_us", summary.duration },
      { "rps", string.format("%.1f", summary.requests / (summary.duration / 1e6)) },
      { "p50_us", latency:percentile(50) },
      { "p99_us", latency:percentile(99) },
      { "max_us", latency.max },
      { "non200", non },
      { "errors_connect", e.connect },
      { "errors_read", e.read },
      { "errors_write", e.write },
      { "errors_timeout", e.timeout },
   }
   for _, k in ipairs(KINDS) do out[#out + 1] = { "sent_" .. k, per_kind[k] } end
   for _, kv in ipairs(out) do
      io.write(string.format("BENCH %s %s\n", kv[1], tostring(kv[2])))
   end
   if s_body ~= nil then
      io.write(string.format("BENCH sample_status %s\n", tostring(s_status)))
      io.write(string.format("BENCH sample_body %s\n", (tostring(s_body):gsub("[\r\n]", " "))))
   end
end
