// oneDNN's blocked layout nChw{B}c ([N, C/B, H, W, B]) outside oneDNN: the conversions and bias
// passes a linked convolution (ConvolutionLinks) needs where it does not run a oneDNN kernel.
// Each loop is written once with the block B as a parameter and instantiated for B = 8 and
// B = 16, so that the compiler sees a constant lane count and vectorises the inner loop.
#include "channel_blocks.h"
#include <oneapi/dnnl/dnnl.h>

long bv_channel_block(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core:
    case dnnl_cpu_isa_avx512_core_vnni:
    case dnnl_cpu_isa_avx512_core_bf16:
    case dnnl_cpu_isa_avx512_core_amx:
        return 16;
    default:
        return 8;
    }
}

const char *bv_cpu_isa_name(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse4.1";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "unknown";
    }
}

static inline __attribute__((always_inline)) void channel_blocks(const float *restrict from, long batch, long channels, long plane,
                                                                float *restrict to, int to_blocked, const long B) {
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / B; block++) {
            long image = (n * channels + block * B) * plane;   // the same offset in both layouts
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < B; lane++) {
                    long plain = image + lane * plane + p, blocked = image + p * B + lane;
                    if (to_blocked) to[blocked] = from[plain]; else to[plain] = from[blocked];
                }
        }
}

static inline __attribute__((always_inline)) void channels_first(const float *restrict from, long batch, long channels, long plane,
                                                                float *restrict to, const long B) {
    // Position by position: each read is one line of B channels, written to B rows.
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / B; block++) {
            const float *restrict image = from + (n * channels + block * B) * plane;
            float *restrict rows = to + block * B * batch * plane + n * plane;
            long stride = batch * plane;
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < B; lane++) rows[lane * stride + p] = image[p * B + lane];
        }
}

static inline __attribute__((always_inline)) void bias_add(const float *restrict bias, float *restrict y, long batch, long channels,
                                                          long plane, int relu, const long B) {
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / B; block++) {
            float *restrict row = y + (n * channels + block * B) * plane;
            const float *b = bias + block * B;
            if (relu) {
                for (long p = 0; p < plane; p++)
                    for (long lane = 0; lane < B; lane++) {
                        float v = row[p * B + lane] + b[lane];
                        row[p * B + lane] = v > 0 ? v : 0;
                    }
            } else {
                for (long p = 0; p < plane; p++)
                    for (long lane = 0; lane < B; lane++) row[p * B + lane] += b[lane];
            }
        }
}

static inline __attribute__((always_inline)) void bias_gradient(const float *restrict dy, float *restrict db, long batch, long channels,
                                                               long plane, const long B) {
    for (long block = 0; block < channels / B; block++) {
        float sums[16] = {0};
        for (long n = 0; n < batch; n++) {
            const float *restrict row = dy + (n * channels + block * B) * plane;
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < B; lane++) sums[lane] += row[p * B + lane];
        }
        for (long lane = 0; lane < B; lane++) db[block * B + lane] += sums[lane];
    }
}

void bv_channel_blocks(const float *from, long batch, long channels, long plane, float *to, int to_blocked, long block) {
    if (block == 16) channel_blocks(from, batch, channels, plane, to, to_blocked, 16);
    else channel_blocks(from, batch, channels, plane, to, to_blocked, 8);
}

void bv_blocked_channels_first(const float *from, long batch, long channels, long plane, float *to, long block) {
    if (block == 16) channels_first(from, batch, channels, plane, to, 16);
    else channels_first(from, batch, channels, plane, to, 8);
}

void bv_blocked_bias_add(const float *bias, float *y, long batch, long channels, long plane, int relu, long block) {
    if (block == 16) bias_add(bias, y, batch, channels, plane, relu, 16);
    else bias_add(bias, y, batch, channels, plane, relu, 8);
}

void bv_blocked_bias_gradient(const float *dy, float *db, long batch, long channels, long plane, long block) {
    if (block == 16) bias_gradient(dy, db, batch, channels, plane, 16);
    else bias_gradient(dy, db, batch, channels, plane, 8);
}
