/* String and memory routines (glibc's optimised versions) on every
 * alignment and many lengths, checked against byte-by-byte reference
 * loops; qsort/bsearch of ints, doubles and strings; strtok, strstr etc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static unsigned char src[512], dst[512], ref[512];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(seed >> 16) | 1;   /* never zero */
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(void)
{
    unsigned bad_cpy = 0, bad_move = 0, bad_set = 0, bad_cmp = 0, bad_len = 0, bad_chr = 0, checks = 0;
    for (size_t so = 0; so < 16; so++)
        for (size_t doff = 0; doff < 16; doff++)
            for (size_t n = 0; n < 100; n += (n < 20 ? 1 : 7)) {
                fill(src, sizeof src, (unsigned)(so * 131 + doff * 7 + n));
                fill(dst, sizeof dst, 99);
                memcpy(ref, dst, sizeof dst);
                for (size_t i = 0; i < n; i++)
                    ref[doff + i] = src[so + i];
                memcpy(dst + doff, src + so, n);
                bad_cpy += memcmp(dst, ref, sizeof dst) != 0;

                /* overlapping memmove, both directions, within one buffer;
                 * the reference goes through a temporary copy */
                unsigned char tmp[128];
                size_t from = so + 64 - 8, to = doff + 64;    /* dst above src */
                memcpy(dst, src, sizeof dst);
                memcpy(ref, src, sizeof ref);
                for (size_t i = 0; i < n; i++) tmp[i] = ref[from + i];
                for (size_t i = 0; i < n; i++) ref[to + i] = tmp[i];
                memmove(dst + to, dst + from, n);
                bad_move += memcmp(dst, ref, sizeof dst) != 0;
                from = doff + 200 + 8, to = so + 200;          /* dst below src */
                memcpy(dst, src, sizeof dst);
                memcpy(ref, src, sizeof ref);
                for (size_t i = 0; i < n; i++) tmp[i] = ref[from + i];
                for (size_t i = 0; i < n; i++) ref[to + i] = tmp[i];
                memmove(dst + to, dst + from, n);
                bad_move += memcmp(dst, ref, sizeof dst) != 0;

                memcpy(ref, dst, sizeof dst);
                for (size_t i = 0; i < n; i++)
                    ref[doff + i] = (unsigned char)(0xa0 + so);
                memset(dst + doff, 0xa0 + (int)so, n);
                bad_set += memcmp(dst, ref, sizeof dst) != 0;

                /* memcmp with a difference at the last byte */
                memcpy(dst + doff, src + so, n);
                if (n) {
                    dst[doff + n - 1] ^= 0x80;
                    int r = memcmp(dst + doff, src + so, n);
                    int want = dst[doff + n - 1] > src[so + n - 1] ? 1 : -1;
                    bad_cmp += (r > 0 ? 1 : -1) != want;
                    dst[doff + n - 1] ^= 0x80;
                }
                bad_cmp += memcmp(dst + doff, src + so, n) != 0;

                /* strlen / strchr / strrchr on a string starting at offset so */
                src[so + n] = 0;
                bad_len += strlen((char *)src + so) != n;
                if (n) {
                    int c = src[so + n / 2];
                    char *first = NULL, *last = NULL;
                    for (size_t i = 0; i < n; i++)
                        if (src[so + i] == c) {
                            if (!first) first = (char *)src + so + i;
                            last = (char *)src + so + i;
                        }
                    bad_chr += strchr((char *)src + so, c) != first;
                    bad_chr += strrchr((char *)src + so, c) != last;
                    bad_chr += memchr(src + so, c, n) != first;
                }
                bad_chr += strchr((char *)src + so, 0) != (char *)src + so + n;
                checks++;
            }
    printf("alignment sweep: %u cases, bad memcpy=%u memmove=%u memset=%u memcmp=%u strlen=%u strchr=%u\n",
           checks, bad_cpy, bad_move, bad_set, bad_cmp, bad_len, bad_chr);

    char s[64];
    strcpy(s, "hello");
    strcat(s, ", world");
    printf("strcpy/strcat: %s len=%zu\n", s, strlen(s));
    printf("strcmp: %d %d %d strncmp: %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0, strcmp("x", "x"),
           strncmp("abcdef", "abcxyz", 3));
    printf("strstr: %s | strspn=%zu strcspn=%zu strpbrk=%s\n", strstr("the quick brown fox", "brown"),
           strspn("aaabbbccc", "ab"), strcspn("hello world", " "), strpbrk("hello world", "ow"));
    char tok[] = "a,b,,c;d";
    printf("strtok:");
    for (char *t = strtok(tok, ",;"); t; t = strtok(NULL, ",;"))
        printf(" [%s]", t);
    printf("\n");
    char nb[8];
    memset(nb, 'x', sizeof nb);
    strncpy(nb, "ab", sizeof nb);
    printf("strncpy pads: %d %d %d\n", nb[2], nb[7], (int)strnlen(nb, 8));
    char *dup = strdup("duplicate");
    printf("strdup: %s\n", dup);
    free(dup);

    /* qsort / bsearch */
    enum { NI = 1000 };
    static int iv[NI];
    unsigned seed = 12345;
    for (int i = 0; i < NI; i++) {
        seed = seed * 1664525u + 1013904223u;
        iv[i] = (int)(seed >> 8) % 5000 - 2500;
    }
    qsort(iv, NI, sizeof iv[0], cmp_int);
    int sorted = 1;
    long sum = 0;
    for (int i = 0; i < NI; i++) {
        if (i && iv[i - 1] > iv[i]) sorted = 0;
        sum += (long)iv[i] * (i + 1);
    }
    printf("qsort ints: sorted=%d min=%d max=%d median=%d weighted=%ld\n", sorted, iv[0], iv[NI - 1], iv[NI / 2], sum);
    int key = iv[777];
    int *hit = bsearch(&key, iv, NI, sizeof iv[0], cmp_int);
    printf("bsearch: found=%d value=%d\n", hit != NULL, hit ? *hit : 0);
    key = 99999;
    printf("bsearch missing: %d\n", bsearch(&key, iv, NI, sizeof iv[0], cmp_int) == NULL);

    double dv[9] = {3.5, -1.25, 1e10, 0.0, -0.5, 2.0, 1e-10, -1e10, 7.0};
    qsort(dv, 9, sizeof dv[0], cmp_dbl);
    printf("qsort doubles:");
    for (int i = 0; i < 9; i++)
        printf(" %g", dv[i]);
    printf("\n");

    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "apple", "date", "Zebra", ""};
    qsort(words, 9, sizeof words[0], cmp_str);
    printf("qsort strings:");
    for (int i = 0; i < 9; i++)
        printf(" '%s'", words[i]);
    printf("\n");
    return 0;
}
