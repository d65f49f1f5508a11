-- The demo's Lua workload: a sieve and a word count, enough to show real work.
local n = 200000
local sieve, count = {}, 0
for i = 2, n do
  if not sieve[i] then
    count = count + 1
    for j = i * i, n, i do sieve[j] = true end
  end
end
print(string.format("%d primes below %d", count, n))
local words = {}
for w in ("the quick brown fox jumps over the lazy dog the end"):gmatch("%a+") do
  words[w] = (words[w] or 0) + 1
end
print("the word 'the' appears " .. words.the .. " times")
