-- wrk script: bench/copyimage.lua's requests, spread over several servers.
-- wrk threads take the addresses in SCALE_ADDRS ("host:port,host:port")
-- in turn, so with as many threads as servers each server gets one
-- thread's connections: a round-robin load balancer's share.
dofile(os.getenv("COPYIMAGE_LUA"))

local addrs = {}
for hostport in string.gmatch(os.getenv("SCALE_ADDRS") or "", "[^,]+") do
   local host, port = hostport:match("^([^:]+):(%d+)$")
   table.insert(addrs, wrk.lookup(host, port)[1])
end

local copyimage_setup = setup
local assigned = 0

function setup(thread)
   if #addrs > 0 then
      thread.addr = addrs[(assigned % #addrs) + 1]
      assigned = assigned + 1
   end
   copyimage_setup(thread)
end
