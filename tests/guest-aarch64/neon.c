/* Advanced SIMD through arm_neon.h: integer and FP lane arithmetic, compares, pairwise and
 * across-lane reductions, shifts, narrowing and widening, permutes, table lookups, element
 * moves, immediates and structure loads/stores. Each result vector prints as hex. */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void show(const char *name, const void *v, size_t n)
{
    const uint8_t *b = v;
    printf("%-10s", name);
    for (size_t i = n; i-- > 0;)
        printf("%02x%s", b[i], i % 8 == 0 && i ? "_" : "");
    printf("\n");
}
#define SHOW(name, v) do { __typeof__(v) t_ = (v); show(name, &t_, sizeof(t_)); } while (0)

static uint8_t src[64];

int main(void)
{
    for (int i = 0; i < 64; i++)
        src[i] = (uint8_t)(i * 37 + 11);
    uint8x16_t a = vld1q_u8(src), b = vld1q_u8(src + 16);
    int16x8_t sa = vreinterpretq_s16_u8(a), sb = vreinterpretq_s16_u8(b);
    int32x4_t wa = vreinterpretq_s32_u8(a), wb = vreinterpretq_s32_u8(b);
    uint64x2_t da = vreinterpretq_u64_u8(a), db = vreinterpretq_u64_u8(b);

    SHOW("add8", vaddq_u8(a, b)); SHOW("sub16", vsubq_s16(sa, sb)); SHOW("mul32", vmulq_s32(wa, wb));
    SHOW("add64", vaddq_u64(da, db)); SHOW("mla16", vmlaq_s16(sa, sa, sb)); SHOW("mls32", vmlsq_s32(wa, wa, wb));
    SHOW("cmeq8", vceqq_u8(a, vdupq_n_u8(src[3]))); SHOW("cmhi8", vcgtq_u8(a, b)); SHOW("cmhs16", vcgeq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    SHOW("cmgt32", vcgtq_s32(wa, wb)); SHOW("cmge16", vcgeq_s16(sa, sb)); SHOW("cmtst8", vtstq_u8(a, b));
    SHOW("cmeq0", vceqzq_s16(vsubq_s16(sa, sa))); SHOW("cmlt0", vcltzq_s32(wa)); SHOW("cmgt0", vcgtzq_s16(sa));
    SHOW("umax8", vmaxq_u8(a, b)); SHOW("smin16", vminq_s16(sa, sb)); SHOW("uabd8", vabdq_u8(a, b)); SHOW("sabd32", vabdq_s32(wa, wb));
    SHOW("uqadd8", vqaddq_u8(a, b)); SHOW("sqsub16", vqsubq_s16(sa, sb)); SHOW("urhadd8", vrhaddq_u8(a, b)); SHOW("shadd16", vhaddq_s16(sa, sb));
    SHOW("and", vandq_u8(a, b)); SHOW("bic", vbicq_u8(a, b)); SHOW("orr", vorrq_u8(a, b)); SHOW("orn", vornq_u8(a, b));
    SHOW("eor", veorq_u8(a, b)); SHOW("bsl", vbslq_u8(vdupq_n_u8(0xf0), a, b)); SHOW("not", vmvnq_u8(a));
    SHOW("addp8", vpaddq_u8(a, b)); SHOW("umaxp8", vpmaxq_u8(a, b)); SHOW("uminp16", vpminq_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    SHOW("smaxp32", vpmaxq_s32(wa, wb)); SHOW("addp64", vpaddd_u64(da));
    SHOW("addv8", vaddvq_u8(a)); SHOW("umaxv8", vmaxvq_u8(a)); SHOW("uminv16", vminvq_u16(vreinterpretq_u16_u8(a)));
    SHOW("smaxv32", vmaxvq_s32(wa)); SHOW("uaddlv8", vaddlvq_u8(a)); SHOW("saddlv16", vaddlvq_s16(sa)); SHOW("addv16d", vaddv_u16(vget_low_u16(vreinterpretq_u16_u8(a))));
    SHOW("ushr8", vshrq_n_u8(a, 3)); SHOW("sshr16", vshrq_n_s16(sa, 9)); SHOW("shl32", vshlq_n_s32(wa, 7)); SHOW("ushr64", vshrq_n_u64(da, 63));
    SHOW("usra16", vsraq_n_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b), 4)); SHOW("sri32", vsriq_n_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b), 12));
    SHOW("sli8", vsliq_n_u8(a, b, 5)); SHOW("urshr16", vrshrq_n_u16(vreinterpretq_u16_u8(a), 5)); SHOW("ushl8", vshlq_u8(a, vreinterpretq_s8_u8(b)));
    SHOW("sshl16", vshlq_s16(sa, vdupq_n_s16(-3))); SHOW("shrn16", vshrn_n_u16(vreinterpretq_u16_u8(a), 4)); SHOW("shrn2", vshrn_high_n_u32(vshrn_n_u32(vreinterpretq_u32_u8(a), 16), vreinterpretq_u32_u8(b), 8));
    SHOW("rshrn", vrshrn_n_u16(vreinterpretq_u16_u8(b), 6));
    SHOW("ushll8", vshll_n_u8(vget_low_u8(a), 3)); SHOW("sshll2", vshll_high_n_s16(sa, 2)); SHOW("uxtl32", vmovl_u32(vget_high_u32(vreinterpretq_u32_u8(b))));
    SHOW("shll8", vshll_n_u8(vget_low_u8(a), 8)); SHOW("shll2_16", vshll_high_n_u16(vreinterpretq_u16_u8(b), 16)); SHOW("shll32", vshll_n_s32(vget_low_s32(wa), 32));
    SHOW("xtn16", vmovn_u16(vreinterpretq_u16_u8(a))); SHOW("xtn2", vmovn_high_u32(vmovn_u32(vreinterpretq_u32_u8(a)), vreinterpretq_u32_u8(b)));
    SHOW("sqxtn", vqmovn_s32(wa)); SHOW("uqxtn", vqmovn_u16(vreinterpretq_u16_u8(b))); SHOW("sqxtun", vqmovun_s16(sa));
    SHOW("umull", vmull_u8(vget_low_u8(a), vget_low_u8(b))); SHOW("smull2", vmull_high_s16(sa, sb)); SHOW("umlal", vmlal_u16(vreinterpretq_u32_u8(a), vget_low_u16(vreinterpretq_u16_u8(a)), vget_low_u16(vreinterpretq_u16_u8(b))));
    SHOW("uaddl", vaddl_u8(vget_low_u8(a), vget_low_u8(b))); SHOW("saddw2", vaddw_high_s16(wa, sb)); SHOW("usubl", vsubl_u16(vget_low_u16(vreinterpretq_u16_u8(a)), vget_low_u16(vreinterpretq_u16_u8(b))));
    SHOW("uabdl", vabdl_u8(vget_low_u8(a), vget_low_u8(b))); SHOW("addhn", vaddhn_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    SHOW("uaddlp", vpaddlq_u8(a)); SHOW("sadalp", vpadalq_s16(wa, sa));
    SHOW("uzp1", vuzp1q_u8(a, b)); SHOW("uzp2", vuzp2q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    SHOW("zip1", vzip1q_u8(a, b)); SHOW("zip2", vzip2q_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b)));
    SHOW("trn1", vtrn1q_u8(a, b)); SHOW("trn2", vtrn2q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b)));
    SHOW("ext3", vextq_u8(a, b, 3)); SHOW("ext_d", vext_u8(vget_low_u8(a), vget_low_u8(b), 5));
    SHOW("tbl1", vqtbl1q_u8(a, vandq_u8(b, vdupq_n_u8(0x1f))));
    uint8x16x2_t t2 = { { a, b } };
    SHOW("tbl2", vqtbl2q_u8(t2, vandq_u8(b, vdupq_n_u8(0x3f)))); SHOW("tbx1", vqtbx1q_u8(a, b, vandq_u8(a, vdupq_n_u8(0x1f))));
    SHOW("rev64", vrev64q_u8(a)); SHOW("rev32", vrev32q_u16(vreinterpretq_u16_u8(a))); SHOW("rev16", vrev16q_u8(a));
    SHOW("cnt", vcntq_u8(a)); SHOW("clz16", vclzq_u16(vreinterpretq_u16_u8(a))); SHOW("cls32", vclsq_s32(wa)); SHOW("rbit", vrbitq_u8(a));
    SHOW("abs16", vabsq_s16(sa)); SHOW("neg32", vnegq_s32(wa)); SHOW("neg64", vnegq_s64(vreinterpretq_s64_u8(a)));
    SHOW("dup8", vdupq_n_u8(src[5])); SHOW("dup16", vdupq_n_u16(0x1234)); SHOW("dup64", vdupq_n_u64(0x0123456789abcdefull));
    SHOW("dupel", vdupq_laneq_u16(vreinterpretq_u16_u8(a), 5)); SHOW("dupel32", vdupq_laneq_u32(vreinterpretq_u32_u8(b), 3));
    SHOW("umov8", vgetq_lane_u8(a, 13)); SHOW("smov16", (int64_t)vgetq_lane_s16(sa, 6)); SHOW("umov64", vgetq_lane_u64(db, 1));
    SHOW("ins32", vsetq_lane_u32(0xdeadbeef, vreinterpretq_u32_u8(a), 2)); SHOW("inselem", vcopyq_laneq_u16(vreinterpretq_u16_u8(a), 1, vreinterpretq_u16_u8(b), 6));
    SHOW("movi", vdupq_n_u32(0x00ab0000)); SHOW("mvni", vdupq_n_u16(0xff5b)); SHOW("movi64", vdupq_n_u64(0xff00ff0000ffff00ull));
    SHOW("orrimm", vorrq_u32(vreinterpretq_u32_u8(a), vdupq_n_u32(0x4400)));
    SHOW("mulel", vmulq_laneq_s16(sa, sb, 3)); SHOW("mlael", vmlaq_laneq_s32(wa, wb, wa, 1));

    float32x4_t fa = { 1.5f, -2.25f, 3.0e30f, 0.1f }, fb = { 0.5f, 4.0f, 3.0e30f, -0.3f };
    float64x2_t ga = { 1.0 / 3, -7.5 }, gb = { 2.0, 1e300 };
    SHOW("fadd", vaddq_f32(fa, fb)); SHOW("fsub", vsubq_f64(ga, gb)); SHOW("fmul", vmulq_f32(fa, fb)); SHOW("fdiv", vdivq_f64(ga, gb));
    SHOW("fmla", vfmaq_f32(fa, fa, fb)); SHOW("fmls", vfmsq_f64(ga, ga, gb)); SHOW("fmax", vmaxq_f32(fa, fb)); SHOW("fminnm", vminnmq_f64(ga, gb));
    SHOW("fabd", vabdq_f32(fa, fb)); SHOW("fabs", vabsq_f32(fb)); SHOW("fneg", vnegq_f64(ga)); SHOW("fsqrt", vsqrtq_f32(vabsq_f32(fa)));
    SHOW("fcmeq", vceqq_f32(fa, fb)); SHOW("fcmge", vcgeq_f64(ga, gb)); SHOW("fcmgt", vcgtq_f32(fa, fb)); SHOW("facgt", vcagtq_f32(fa, fb));
    SHOW("fcmlt0", vcltzq_f32(fa)); SHOW("faddp", vpaddq_f32(fa, fb)); SHOW("faddps", vpaddd_f64(ga)); SHOW("fmaxv", vmaxvq_f32(fa)); SHOW("fminnmv", vminnmvq_f32(fb));
    SHOW("fmulel", vmulq_laneq_f32(fa, fb, 2)); SHOW("fmlael", vfmaq_laneq_f64(ga, gb, ga, 1));
    SHOW("scvtf", vcvtq_f32_s32(wa)); SHOW("ucvtf", vcvtq_f64_u64(da)); SHOW("fcvtzs", vcvtq_s32_f32(fa)); SHOW("fcvtzu", vcvtq_u64_f64(gb));
    SHOW("fcvtns", vcvtnq_s32_f32(fa)); SHOW("fcvtas", vcvtaq_s64_f64(ga)); SHOW("fcvtms", vcvtmq_s32_f32(fb));
    SHOW("frintn", vrndnq_f32(fa)); SHOW("frintm", vrndmq_f64(ga)); SHOW("frintz", vrndq_f32(fb)); SHOW("frinta", vrndaq_f32(fa));
    SHOW("fcvtn", vcvt_f32_f64(gb)); SHOW("fcvtl", vcvt_f64_f32(vget_low_f32(fa))); SHOW("fcvtl2", vcvt_high_f64_f32(fa));
    SHOW("scvtfx", vcvtq_n_f32_s32(wa, 16)); SHOW("fcvtzsx", vcvtq_n_s32_f32(fa, 8));

    uint8_t out[64] = { 0 };
    uint8x16x2_t l2 = vld2q_u8(src);
    SHOW("ld2.0", l2.val[0]); SHOW("ld2.1", l2.val[1]);
    uint16x8x3_t l3 = vld3q_u16((const uint16_t *)src);
    SHOW("ld3.2", l3.val[2]);
    uint32x4x4_t l4 = vld4q_u32((const uint32_t *)src);
    SHOW("ld4.1", l4.val[1]);
    vst2q_u8(out, (uint8x16x2_t){ { b, a } });
    show("st2", out, 32);
    vst4_u16((uint16_t *)out, (uint16x4x4_t){ { vget_low_u16(vreinterpretq_u16_u8(a)), vget_high_u16(vreinterpretq_u16_u8(a)),
                                                vget_low_u16(vreinterpretq_u16_u8(b)), vget_high_u16(vreinterpretq_u16_u8(b)) } });
    show("st4", out, 32);
    SHOW("ld1r", vld1q_dup_u32((const uint32_t *)(src + 8)));
    SHOW("ld1lane", vld1q_lane_u16((const uint16_t *)(src + 2), vreinterpretq_u16_u8(b), 5));
    vst1q_lane_u64((uint64_t *)out, da, 1);
    show("st1lane", out, 8);
    uint8x16x4_t x4 = vld1q_u8_x4(src);
    SHOW("ld1x4.3", x4.val[3]);
    return 0;
}
