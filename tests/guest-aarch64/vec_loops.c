/* Loops gcc -O3 vectorizes with Advanced SIMD: element-wise arithmetic at every width,
 * reductions (sum, min, max), conditional selects, widening multiply-accumulate, shifts,
 * saturating clamps, int<->float conversions, interleaved (LD2/ST2) access, odd tails. */
#include <stdint.h>
#include <stdio.h>

#define N 1003

static int8_t i8a[N], i8b[N];
static uint8_t u8a[N], u8b[N], u8c[N];
static int16_t i16a[N], i16b[N], i16c[N];
static int32_t i32a[N], i32b[N], i32c[N];
static uint32_t u32a[N];
static int64_t i64a[N], i64b[N], i64c[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];
static uint64_t h = 1469598103934665603ull;

static void mix(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
}

__attribute__((noinline)) static void kernels(int k)
{
    for (int i = 0; i < N; i++) u8c[i] = (uint8_t)(u8a[i] + u8b[i] * k);
    for (int i = 0; i < N; i++) i16c[i] = (int16_t)(i16a[i] * i16b[i] - (i16a[i] >> 3));
    for (int i = 0; i < N; i++) i32c[i] = i32a[i] > i32b[i] ? i32a[i] - i32b[i] : i32b[i] << 2;
    for (int i = 0; i < N; i++) i64c[i] = i64a[i] * 3 + (i64b[i] ^ (i64a[i] >> 7));
    for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fc[i];
    for (int i = 0; i < N; i++) dc[i] = da[i] / (db[i] + 3.0) - dc[i] * 0.5;
    for (int i = 0; i < N; i++) u8c[i] = (uint8_t)(u8c[i] > 128 ? 255 : u8c[i] * 2);
    for (int i = 0; i < N; i++) i32c[i] += (int32_t)i16a[i] * i16b[i];
    for (int i = 0; i < N; i++) { int v = i16a[i] + i16b[i]; i16c[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
    for (int i = 0; i < N; i++) fc[i] = (float)i32a[i] * 0.25f;
    for (int i = 0; i < N; i++) i32c[i] = (int32_t)(fb[i] * 100.0f);
    for (int i = 0; i < N; i++) dc[i] = (double)i64a[i] + (double)u32a[i];
    for (int i = 0; i < N; i++) i8a[i] = (int8_t)(i8a[i] < 0 ? -i8a[i] : i8a[i]);
    for (int i = 0; i < N; i++) u32a[i] = (u32a[i] >> 5) | (u32a[i] << 27);
    for (int i = 0; i < N / 2; i++) { int16_t x = i16a[2 * i], y = i16a[2 * i + 1]; i16c[2 * i] = (int16_t)(x + y); i16c[2 * i + 1] = (int16_t)(x - y); }
    for (int i = 0; i < N; i++) fc[i] = fa[i] < fb[i] ? fa[i] : fb[i];
    for (int i = 0; i < N; i++) dc[i] = da[i] > db[i] ? da[i] : db[i];
}

__attribute__((noinline)) static void reductions(void)
{
    int32_t s32 = 0, mx = INT32_MIN, mn = INT32_MAX;
    uint32_t su8 = 0;
    int64_t s64 = 0;
    float sf = 0;
    double sd = 0;
    uint8_t umax = 0;
    for (int i = 0; i < N; i++) s32 += i32a[i];
    for (int i = 0; i < N; i++) mx = i32a[i] > mx ? i32a[i] : mx;
    for (int i = 0; i < N; i++) mn = i32b[i] < mn ? i32b[i] : mn;
    for (int i = 0; i < N; i++) su8 += u8a[i];
    for (int i = 0; i < N; i++) umax = u8b[i] > umax ? u8b[i] : umax;
    for (int i = 0; i < N; i++) s64 += (int64_t)i32a[i] * i32b[i];
    for (int i = 0; i < N; i++) sd += da[i] * db[i];
    for (int i = 0; i < N; i++) sf += fa[i];
    printf("red %d %d %d %u %u %lld %.17g %.9g\n", s32, mx, mn, su8, umax, (long long)s64, sd, sf);
}

int main(void)
{
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        i8a[i] = (int8_t)(x >> 8); i8b[i] = (int8_t)(x >> 16);
        u8a[i] = (uint8_t)(x >> 9); u8b[i] = (uint8_t)(x >> 17);
        i16a[i] = (int16_t)(x >> 3); i16b[i] = (int16_t)(x >> 11);
        i32a[i] = (int32_t)x >> 4; i32b[i] = (int32_t)(x * 7u);
        u32a[i] = x ^ 0x5a5a5a5au;
        i64a[i] = (int64_t)x * (int64_t)(x >> 3) - (1ll << 40); i64b[i] = (int64_t)x << 20;
        fa[i] = (float)(int32_t)x / 65536.0f; fb[i] = (float)(x % 1000) / 7.0f - 50.0f;
        da[i] = (double)(int32_t)x / 3.0; db[i] = (double)(x % 10007) * 1.5;
    }
    for (int k = 1; k <= 3; k++) {
        kernels(k);
        mix(u8c, sizeof(u8c)); mix(i16c, sizeof(i16c)); mix(i32c, sizeof(i32c)); mix(i64c, sizeof(i64c));
        mix(fc, sizeof(fc)); mix(dc, sizeof(dc)); mix(i8a, sizeof(i8a)); mix(u32a, sizeof(u32a));
        printf("pass %d hash %016llx\n", k, (unsigned long long)h);
    }
    reductions();
    return 0;
}
