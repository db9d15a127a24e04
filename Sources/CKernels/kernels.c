#define _GNU_SOURCE
#include <sched.h>
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

void bv_relu_forward(long n, const float *restrict x, float *restrict y) {
    for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

void bv_relu_backward(long n, const float *restrict dy, const float *restrict y, float *restrict dx) {
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

void bv_relu_in_place(long n, float *restrict x) {
    for (long i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
}

void bv_relu_mask(long n, const float *restrict y, float *restrict dx) {
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0 ? dx[i] : 0;
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

long bv_usable_cores(void) {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? cores : 1;
}

int bv_gemm_threads(void) {
    if (gemm_threads > 0) return gemm_threads;
    return (int)bv_usable_cores();
}

// im2col and col2im are here, not in Swift, because their lines are short (16 elements in the
// burgess net's second layer) and strided: Swift's version spent 42% of a conv step in them,
// calling memset/memmove per line and not vectorising the stride-2 gather.

/* Output columns ox whose input column ox*s - p + kj lies inside a row of `width`: [*low, *high). */
static void valid_columns(long kj, long width, long stride, long padding, long out_width, long *low, long *high) {
    long lo = padding - kj > 0 ? (padding - kj + stride - 1) / stride : 0;
    long hi = (width - 1 + padding - kj) < 0 ? 0 : (width - 1 + padding - kj) / stride + 1;
    if (hi > out_width) hi = out_width;
    if (hi < lo) hi = lo;
    *low = lo; *high = hi;
}

void bv_im2col(const float *restrict image, long batch, long channels, long height, long width, long kernel, long stride,
               long padding, long out_height, long out_width, float *restrict columns) {
    long positions = out_height * out_width, row_length = batch * positions;
    for (long c = 0; c < channels; c++)
        for (long ki = 0; ki < kernel; ki++)
            for (long kj = 0; kj < kernel; kj++) {
                long lo, hi;
                valid_columns(kj, width, stride, padding, out_width, &lo, &hi);
                float *row = columns + ((c * kernel + ki) * kernel + kj) * row_length;
                for (long n = 0; n < batch; n++)
                    for (long oy = 0; oy < out_height; oy++) {
                        float *restrict line = row + n * positions + oy * out_width;
                        long iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= height) {
                            for (long ox = 0; ox < out_width; ox++) line[ox] = 0;
                            continue;
                        }
                        const float *restrict source = image + ((n * channels + c) * height + iy) * width - padding + kj;
                        for (long ox = 0; ox < lo; ox++) line[ox] = 0;
                        if (stride == 2) {
                            for (long ox = lo; ox < hi; ox++) line[ox] = source[2 * ox];
                        } else if (stride == 1) {
                            for (long ox = lo; ox < hi; ox++) line[ox] = source[ox];
                        } else {
                            for (long ox = lo; ox < hi; ox++) line[ox] = source[ox * stride];
                        }
                        for (long ox = hi; ox < out_width; ox++) line[ox] = 0;
                    }
            }
}

/* col2im for the 4x4, stride 2, padding 1 convolutions of conv28 and burgess (width = 2*Wo): the
   four kernel columns of an image row are summed in one pass, even and odd pixels together, so
   the stores are contiguous. Pixel 2t takes kj = 1 at ox = t and kj = 3 at ox = t - 1; pixel
   2t + 1 takes kj = 2 at ox = t and kj = 0 at ox = t + 1. */
static void col2im_k4s2p1(const float *restrict columns, long batch, long channels, long height, long out_height,
                          long out_width, float *restrict image) {
    long width = 2 * out_width, positions = out_height * out_width, row_length = batch * positions;
    for (long c = 0; c < channels; c++)
        for (long ki = 0; ki < 4; ki++) {
            const float *rows = columns + (c * 4 + ki) * 4 * row_length;
            for (long n = 0; n < batch; n++)
                for (long oy = 0; oy < out_height; oy++) {
                    long iy = oy * 2 - 1 + ki;
                    if (iy < 0 || iy >= height) continue;
                    long offset = n * positions + oy * out_width;
                    const float *restrict l0 = rows + offset, *restrict l1 = l0 + row_length;
                    const float *restrict l2 = l1 + row_length, *restrict l3 = l2 + row_length;
                    float *restrict x = image + ((n * channels + c) * height + iy) * width;
                    x[0] += l1[0];
                    x[1] += l2[0] + (out_width > 1 ? l0[1] : 0);
                    for (long t = 1; t < out_width - 1; t++) {
                        x[2 * t] += l1[t] + l3[t - 1];
                        x[2 * t + 1] += l2[t] + l0[t + 1];
                    }
                    if (out_width > 1) {
                        long t = out_width - 1;
                        x[2 * t] += l1[t] + l3[t - 1];
                        x[2 * t + 1] += l2[t];
                    }
                }
        }
}

void bv_col2im(const float *restrict columns, long batch, long channels, long height, long width, long kernel, long stride,
               long padding, long out_height, long out_width, float *restrict image) {
    if (kernel == 4 && stride == 2 && padding == 1 && width == 2 * out_width) {
        col2im_k4s2p1(columns, batch, channels, height, out_height, out_width, image);
        return;
    }
    long positions = out_height * out_width, row_length = batch * positions;
    for (long c = 0; c < channels; c++)
        for (long ki = 0; ki < kernel; ki++)
            for (long kj = 0; kj < kernel; kj++) {
                long lo, hi;
                valid_columns(kj, width, stride, padding, out_width, &lo, &hi);
                const float *row = columns + ((c * kernel + ki) * kernel + kj) * row_length;
                for (long n = 0; n < batch; n++)
                    for (long oy = 0; oy < out_height; oy++) {
                        long iy = oy * stride - padding + ki;
                        if (iy < 0 || iy >= height) continue;
                        const float *restrict line = row + n * positions + oy * out_width;
                        float *restrict dest = image + ((n * channels + c) * height + iy) * width - padding + kj;
                        for (long ox = lo; ox < hi; ox++) dest[ox * stride] += line[ox];
                    }
            }
}
