#include <unistd.h>
#include "kernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

void bv_adam_update(long n, const float *restrict g, float *restrict m, float *restrict v, float *restrict t,
                    float b1, float b2, float eps, float step, float rc2) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1 - b1) * gi;
        float vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        t[i] -= step * mi / (sqrtf(vi) / rc2 + eps);
    }
}

/// e^y for y <= 0 (y < -87 gives ~0): y = k ln2 + r, |r| <= ln2/2 (Cody-Waite split of ln 2),
/// e^r by its degree-7 Taylor polynomial, 2^k built in the exponent bits. About 1 ulp.
static inline float exp_nonpositive(float y) {
    y = y < -87.0f ? -87.0f : y;
    float k = rintf(y * 1.44269504088896341f);
    float r = y - k * 0.693145751953125f - k * 1.428606765330187e-06f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/// log(1 + e) for e in [0, 1]: with s = e / (2 + e) in [0, 1/3], log(1 + e) = 2 atanh(s)
/// = 2s (1 + s^2/3 + s^4/5 + ...), seven terms (truncation below 2e-8 relative).
static inline float log1p_unit(float e) {
    float s = e / (2 + e), s2 = s * s;
    float q = 1.0f / 13;
    q = q * s2 + 1.0f / 11;
    q = q * s2 + 1.0f / 9;
    q = q * s2 + 1.0f / 7;
    q = q * s2 + 1.0f / 5;
    q = q * s2 + 1.0f / 3;
    q = q * s2 + 1;
    return 2 * s * q;
}

void bv_bce_with_logits(long rows, long cols, const float *restrict logits, const float *restrict targets,
                        float *restrict per_row, float *restrict gradient, float scale) {
    // Summation order within a row may change (vectorised partial sums): a few ulps of the row total.
    #pragma clang fp reassociate(on)
    for (long r = 0; r < rows; r++) {
        const float *l = logits + r * cols, *x = targets + r * cols;
        float total = 0;
        if (gradient) {
            float *g = gradient + r * cols;
            for (long c = 0; c < cols; c++) {
                float li = l[c];
                float e = exp_nonpositive(-fabsf(li));
                total += fmaxf(li, 0) - li * x[c] + log1p_unit(e);
                float inverse = 1 / (1 + e);
                g[c] = scale * ((li >= 0 ? inverse : e * inverse) - x[c]);
            }
        } else {
            for (long c = 0; c < cols; c++) {
                float li = l[c];
                total += fmaxf(li, 0) - li * x[c] + log1p_unit(exp_nonpositive(-fabsf(li)));
            }
        }
        per_row[r] = total;
    }
}

#if defined(__GLIBC__)
#include <malloc.h>
void bv_retain_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
#else
void bv_retain_freed_memory(void) {}
#endif

static _Thread_local int gemm_threads = 0;

void bv_set_gemm_threads(int count) { gemm_threads = count; }

int bv_gemm_threads(void) {
    if (gemm_threads > 0) return gemm_threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}
