-- CPU-bound Lua benchmark for bench/run.sh: naive recursive Fibonacci
-- (calls, integer adds, comparisons) followed by a small table/string
-- workload. Usage: lua fib.lua [N]  (default N=30). Prints a checksum line
-- so the runners' outputs can be compared.
local n = tonumber(arg and arg[1]) or 30

local function fib(k)
  if k < 2 then return k end
  return fib(k - 1) + fib(k - 2)
end

local f = fib(n)

-- table + string work scaled with n
local t = {}
for i = 1, n * 2000 do t[i] = (i * 7919) % 10007 end
table.sort(t)
local parts = {}
for i = 1, #t, 97 do parts[#parts + 1] = tostring(t[i]) end
local s = table.concat(parts, ",")
local h = 0
for i = 1, #s do h = (h * 31 + s:byte(i)) % 1000000007 end

print(string.format("fib(%d)=%d sorted=%d hash=%d", n, f, #t, h))
