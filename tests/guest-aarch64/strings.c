/* glibc's string and memory functions (their AArch64 versions use Advanced SIMD, DC ZVA and
 * unaligned tails) over many lengths and alignments, checked against simple loops. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf[8192 + 64], buf2[8192 + 64];
static unsigned errors;

static void check(int ok, const char *what, size_t len, size_t align)
{
    if (!ok && errors++ < 20)
        printf("mismatch %s len %zu align %zu\n", what, len, align);
}

static size_t ref_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

int main(void)
{
    uint64_t h = 0;
    static const size_t lens[] = { 0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128,
                                   129, 255, 256, 1000, 4095, 4096, 4097, 8000 };
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        for (size_t al = 0; al < 17; al += 3) {
            size_t len = lens[li];
            char *s = buf + al, *d = buf2 + (al * 5) % 16;
            for (size_t i = 0; i < len + 32; i++)
                s[i] = (char)('a' + (i * 7 + len) % 26);
            s[len] = 0;
            check(strlen(s) == ref_strlen(s), "strlen", len, al);
            check(strnlen(s, len / 2) == len / 2, "strnlen", len, al);
            memset(d, 0x55, len + 16);
            memcpy(d, s, len);
            check(memcmp(d, s, len) == 0 && (unsigned char)d[len] == 0x55, "memcpy", len, al);
            strcpy(d, s);
            check(strcmp(d, s) == 0, "strcpy/strcmp", len, al);
            if (len) {
                d[len - 1]++;
                check(strcmp(d, s) > 0 && strncmp(d, s, len - 1) == 0 && memcmp(d, s, len) > 0,
                      "strcmp order", len, al);
                check(memchr(s, s[len - 1], len) == s + ((len - 1) < 26 ? len - 1 : (size_t)(memchr(s, s[len - 1], len) - (void *)s)), "memchr", len, al);
                check(strrchr(s, s[0]) >= s, "strrchr", len, al);
            }
            check(strchr(s, 0) == s + len, "strchr nul", len, al);
            check(memchr(s, 'A', len) == NULL, "memchr miss", len, al);
            memmove(s + 1, s, len);
            check(s[1] == (len ? (char)('a' + len % 26) : 0) || !len, "memmove", len, al);
            memset(d, (int)len, len);
            for (size_t i = 0; i < len; i++)
                check((unsigned char)d[i] == (unsigned char)len, "memset", len, al);
            h = h * 31 + strlen(s) + (uint64_t)(strstr(s, "xel") ? strstr(s, "xel") - s : -1);
            h = h * 31 + strspn(s, "abcdefgh") + strcspn(s, "zyx");
        }
    }
    char *dup = strdup("Hello, World");
    printf("%s %zu %s %d %d\n", dup, strlen(dup), strchr(dup, 'W'), strcasecmp(dup, "hello, world"),
           strncasecmp(dup, "HELLO", 5));
    free(dup);
    char big[300];
    snprintf(big, sizeof(big), "%s|%10.4f|%-8d|%x|%e|%g", "fmt", 3.14159265, -42, 0xbeef, 1e-300, 0.0001);
    printf("%s\n", big);
    printf("errors %u hash %016llx\n", errors, (unsigned long long)h);
    return 0;
}
