-- Lua workload used as a guest-program test (tests/lua/run.sh): exercises
-- strings, tables, closures, coroutines, metatables, integer/float
-- arithmetic, string.format of floats, sorting and gsub patterns. Output
-- must be identical natively, under qemu-riscv64 and under the vm, so it
-- never prints addresses, pairs() order over string keys, time or paths.

local function section(name) print(("== %s =="):format(name)) end

section("integers")
print(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7 // -2.0, 2^10, 10 / 2, 3 / 2)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(math.mininteger // -1, math.mininteger % -1)
print(1 << 63, 1 << 64, -1 >> 1, 0xff ~ 0x0f, ~0, 5 & 3, 5 | 3)
print(math.tointeger(3.0), math.tointeger(3.5), 3 == 3.0, math.type(1), math.type(1.0), math.type("1"))
print(string.format("%d %x %X %o %5d|%-5d|%05d", 255, 255, 255, 8, 42, 42, 42))
print(100000000000000, 2^53, 2^53 + 1, (2^53 | 0) + 1)
local acc = 0
for i = 1, 100000 do acc = (acc * 31 + i) % 1000000007 end
print("lcg", acc)
local h = 0
for i = 1, 1000 do h = (h ~ (i * 0x9e3779b97f4a7c15)) * 3 end
print("wrap", h, string.format("%016x", h))

section("floats")
print(1/3, -1/3, 1e15, 1e16, 1e100, 2^-1074, -0.0, 1/0, -1/0, 0/0 ~= 0/0)
print(string.format("%.3f %.10f %e %.2e %g %g %g %a", math.pi, 1/3, 12345.678, 0.000123, 1e20, 1e-5, 100, 1.0))
print(string.format("%5.1f|%-8.3f|%+.2f|%08.3f", 2.25, 2.5, 3.14159, -1.5))
print(math.floor(-3.5), math.ceil(-3.5), math.floor(3.7), math.fmod(7, -3), math.fmod(-7, 3), math.abs(-2^63))
print(math.sqrt(2), math.sin(1), math.cos(1), math.exp(1), math.log(10), math.log(8, 2), math.atan(1, 2))
print(math.huge, -math.huge, math.ult(1, -1), 5 // 0.0, -5 // 0.0, 0.1 + 0.2 == 0.3, 0.1 + 0.2)
print(tostring(1e300 * 1e10), 3 % math.huge, -3 % math.huge, 5.5 % 2, -5.5 % 2)
print(tonumber("0x10"), tonumber("1e2"), tonumber("  12  "), tonumber("12a"), tonumber("z", 36), tonumber("7fffffffffffffff", 16))
print(string.format("%.14g", 0.1), string.format("%.17g", 0.1), 8 // 3 * 1.0, 2^0.5)
local s = 0.0
for i = 1, 10000 do s = s + 1 / i end
print("harmonic", s, string.format("%.15f", s))

section("strings")
local str = "The quick brown fox jumps over the lazy dog"
print(#str, str:upper(), str:lower():sub(5, 9), str:sub(-3), str:sub(-100, 3), str:rep(2, "|"):len())
print(str:find("fox"), str:find("o", 15), str:find("%s(%a+)%s"), str:match("(%a+) dog"), str:byte(1, 3))
print(string.char(72, 105), ("%d-%s"):format(5, "x"), ("abc"):reverse(), ("  trim  "):match("^%s*(.-)%s*$") .. "|")
local words = {}
for w in str:gmatch("%a+") do words[#words + 1] = w end
print(#words, table.concat(words, ","))
print((str:gsub("o", "0")), select(2, str:gsub("%w+", "")))
print((str:gsub("(%w+) (%w+)", "%2 %1")))
print((("hello world"):gsub("%w+", string.upper)), (("$x + $y"):gsub("%$(%w+)", {x = "1", y = "2"})))
print((("abc"):gsub("", "-")), (("hello"):gsub("l+", function(m) return "<" .. #m .. ">" end)))
print(("key = value"):match("^(%w+)%s*=%s*(%w+)$"), ("[[nested]]"):match("%[(%b[])%]"), ("f(a(b)c)"):match("%b()"))
print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)"), ("%d"):rep(3, ","), ("x"):rep(0) == "")
print(string.format("%q", 'a "quoted"\n\0 string'), string.format("%q", 1/3), string.format("%q", math.mininteger))
print(string.format("%-10s|%10s|%.2s", "left", "right", "truncate"), ("%5.1s|"):format("abc"))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), #"häll€")
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print()
print(string.pack("<i4", 100):byte(1, -1))
print(string.unpack("<i2 >i2 z", "\1\2\1\2abc\0"), string.packsize("i4 i8 d"))
local parts = {}
for i = 1, 200 do parts[i] = tostring(i * i) end
local big = table.concat(parts, ";")
print(#big, big:sub(1, 30), big:sub(-20))

section("tables")
local t = {10, 20, 30, nil, 50}
print(#{1, 2, 3}, select("#", 1, nil, 3), table.unpack({1, 2, 3}))
local list = {}
for i = 1, 10 do table.insert(list, i * i) end
table.insert(list, 1, 0)
print(table.remove(list), table.remove(list, 1), #list, table.concat(list, " "))
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","))
local dict = {}
for i = 1, 100 do dict["k" .. i] = i end
local keys = {}
for k in pairs(dict) do keys[#keys + 1] = k end
table.sort(keys)
local sum = 0
for _, k in ipairs(keys) do sum = sum + dict[k] end
print(#keys, keys[1], keys[#keys], sum)
dict.k50 = nil
local n = 0
for _ in pairs(dict) do n = n + 1 end
print("after delete", n, dict.k50, rawlen({1, 2}), next({}))
local nested = {a = {b = {c = {"deep"}}}}
print(nested.a.b.c[1], t[5], t[4])

section("sort")
math.randomseed(42)
local arr = {}
for i = 1, 2000 do arr[i] = math.random(1, 100000) end
local copy = {table.unpack(arr, 1, 2000)}
table.sort(arr)
local ok = true
for i = 2, #arr do if arr[i - 1] > arr[i] then ok = false end end
print("sorted", ok, arr[1] <= arr[2000])
table.sort(copy, function(a, b) return a > b end)
print("desc", copy[1] >= copy[2], copy[1] == arr[2000], copy[2000] == arr[1])
local people = {{"bob", 25}, {"alice", 30}, {"carol", 25}, {"dave", 35}, {"eve", 30}}
table.sort(people, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[1] < b[1] end)
for _, p in ipairs(people) do io.write(p[1], "=", p[2], " ") end
print()
local strs = {"banana", "Apple", "cherry", "apple", "10", "9", ""}
table.sort(strs)
print(table.concat(strs, ","))
print(math.random(1, 1), math.random(5) <= 5, math.random() < 1)

section("closures")
local function counter()
  local c = 0
  return function() c = c + 1; return c end
end
local c1, c2 = counter(), counter()
c1(); c1()
print(c1(), c2())
local fns = {}
for i = 1, 5 do fns[i] = function() return i * 10 end end
print(fns[1](), fns[5]())
local function memo(f)
  local cache = {}
  return function(x)
    local v = cache[x]
    if v == nil then v = f(x); cache[x] = v end
    return v
  end
end
local fib
fib = memo(function(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end)
print(fib(80), fib(90))
local function vsum(...)
  local s2 = 0
  for _, v in ipairs({...}) do s2 = s2 + v end
  return s2, select("#", ...)
end
print(vsum(1, 2, 3, 4.5))
local function recurse(d) if d == 0 then return 0 end return 1 + recurse(d - 1) end
print(recurse(10000))
local function tail(d, acc2) if d == 0 then return acc2 end return tail(d - 1, acc2 + 1) end
print(tail(1000000, 0))

section("coroutines")
local gen = coroutine.wrap(function()
  for i = 1, 5 do coroutine.yield(i * i) end
  return "done"
end)
print(gen(), gen(), gen(), gen(), gen(), gen())
local co = coroutine.create(function(a, b)
  local x = coroutine.yield(a + b)
  local y, z = coroutine.yield(x * 2)
  return y + z
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co), coroutine.status(co))
local producer = coroutine.create(function()
  for _, w in ipairs({"a", "b", "c"}) do coroutine.yield(w) end
end)
local got = {}
while true do
  local okc, v = coroutine.resume(producer)
  if not okc or v == nil then break end
  got[#got + 1] = v
end
print(table.concat(got), coroutine.isyieldable(), coroutine.running() ~= nil)
local errco = coroutine.create(function() error({code = 7}) end)
local okc, e = coroutine.resume(errco)
print(okc, type(e), e.code, coroutine.status(errco))

section("metatables")
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__lt = function(a, b) return a.x < b.x end
V.__len = function() return 2 end
V.__call = function(self, k) return self.x * k end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
function V.new(x, y) return setmetatable({x = x, y = y}, V) end
function V:dot(o) return self.x * o.x + self.y * o.y end
local a, b = V.new(1, 2), V.new(3, 4)
print(tostring(a + b), a == V.new(1, 2), a < b, #a, a(10), a .. b, a:dot(b))
local defaults = setmetatable({}, {__index = function(_, k) return k .. "!" end})
print(defaults.hello, rawget(defaults, "hello"))
local log = {}
local proxy = setmetatable({}, {__newindex = function(tt, k, v) log[#log + 1] = k; rawset(tt, k, v) end})
proxy.one = 1; proxy.two = 2; proxy.one = 11
print(table.concat(log, ","), proxy.one)

section("errors")
print(pcall(function() error("plain", 0) end))
print(pcall(function() error({msg = "table"}) end) == false)
print(select(2, pcall(function() local x = nil; return x.field end)) ~= nil)
print(xpcall(function() error("boom", 0) end, function(m) return "handled: " .. m end))
print(pcall(string.rep))
print(select("#", pcall(error)))
local okn, msgn = pcall(function() return 1 + {} end)
print(okn, (msgn:gsub("^.-:%d+: ", "")))
print(string.format("%s", 12), tostring(nil), tostring(true), type(print))

section("goto and loops")
local out = {}
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    out[#out + 1] = i .. j
    ::continue::
  end
end
print(table.concat(out, " "))
local w = 0
repeat w = w + 1 until w >= 5
while w > 0 do w = w - 2 end
print(w)
for i = 10, 1, -3 do io.write(i, " ") end
for i = 1.0, 2.0, 0.25 do io.write(i, " ") end
print()

section("sieve")
local N = 30000
local sieve = {}
for i = 2, N do sieve[i] = true end
for i = 2, math.floor(math.sqrt(N)) do
  if sieve[i] then for j = i * i, N, i do sieve[j] = false end end
end
local count, last = 0, 0
for i = 2, N do if sieve[i] then count = count + 1; last = i end end
print("primes", count, last)

section("gc")
local weak = setmetatable({}, {__mode = "k"})
do local key = {}; weak[key] = 1 end
collectgarbage()
collectgarbage()
local left = 0
for _ in pairs(weak) do left = left + 1 end
print("weak entries after collect", left)
print(collectgarbage("count") > 0, collectgarbage("isrunning"))
print("end")
