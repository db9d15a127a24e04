// Convolutions between a one-channel image and a C-channel nChw8c tensor, in AVX2 + FMA.
// Each pass copies one image at a time into a zero-padded buffer, so the inner loops need no
// bounds tests, and keeps a tile of accumulators in registers:
// - spread (Conv2d 1→C forward): P positions × Q groups of 8 channels; per tap, Q weight loads and
//   P broadcasts feed P·Q FMAs.
// - gather (ConvTranspose2d C→1 forward): P positions × the k² taps as vectors; per channel, P
//   broadcasts of the tensor and ⌈k²/8⌉ weight loads feed P·⌈k²/8⌉ FMAs, then each position's k²
//   sums are added into the padded image (the col2im of that one position).
// - weights: T taps × Q channel groups; per position, Q tensor loads and T broadcasts feed T·Q FMAs,
//   a tensor row at a time so that it stays in L1 across the tap tiles.
#include "single_channel_convolution.h"
#include "channel_blocks.h"
#include <stdint.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

int bv_sc_available(void) { return 1; }

/* The padded image: rows and columns the windows reach, and those of the image itself. */
static long padded_rows(const bv_sc_geometry *g) {
    long reach = (g->out_height - 1) * g->stride + g->kernel, image = g->height + g->padding;
    return reach > image ? reach : image;
}

static long padded_columns(const bv_sc_geometry *g) {
    long reach = (g->out_width - 1) * g->stride + g->kernel, image = g->width + g->padding;
    return reach > image ? reach : image;
}

/* k² rounded up to whole vectors: the row length of the gather pass's weights. */
static long taps_padded(const bv_sc_geometry *g) { return (g->kernel * g->kernel + 7) / 8 * 8; }

/* Scratch: the padded image, then the rearranged weights (spread's Wb, gather's Wt), then the
   weight pass's blocked gradient dWb, then spread's row buffer. */
long bv_sc_scratch_floats(const bv_sc_geometry *g) {
    return padded_rows(g) * padded_columns(g) + 2 * g->channels * taps_padded(g) + g->channels * g->out_width;
}

static float *rearranged_weights(const bv_sc_geometry *g, float *scratch) { return scratch + padded_rows(g) * padded_columns(g); }
static float *weight_sums(const bv_sc_geometry *g, float *scratch) { return rearranged_weights(g, scratch) + g->channels * taps_padded(g); }
static float *row_buffer(const bv_sc_geometry *g, float *scratch) { return weight_sums(g, scratch) + g->channels * taps_padded(g); }

/* Image n into the zero-padded buffer (pixel (y, x) at (y + p, x + p)). */
static void pad_image(const bv_sc_geometry *g, const float *image, float *padded) {
    long rows = padded_rows(g), columns = padded_columns(g);
    memset(padded, 0, sizeof(float) * rows * columns);
    for (long y = 0; y < g->height; y++)
        memcpy(padded + (y + g->padding) * columns + g->padding, image + y * g->width, sizeof(float) * g->width);
}

/* ---- spread ---------------------------------------------------------------------------------- */

/* P positions (ow0 …) of row oh × Q channel groups (g0 …) into the row buffer [C/8, Wo, 8]; Wb is [C/8, k², 8]. */
static inline __attribute__((always_inline)) void spread_tile(const int P, const int Q, const long k, const long s, const bv_sc_geometry *g,
                                                              const float *padded, long columns, const float *Wb, const float *bias,
                                                              int relu, float *row_out, long oh, long ow0, long g0) {
    const long kk = k * k;
    __m256 acc[8][4];   /* fixed sizes, P ≤ 8 and Q ≤ 4: once inlined with constants they become registers */
    for (int q = 0; q < Q; q++) {
        __m256 start = bias ? _mm256_loadu_ps(bias + (g0 + q) * 8) : _mm256_setzero_ps();
        for (int r = 0; r < P; r++) acc[r][q] = start;
    }
    for (long kh = 0; kh < k; kh++) {
        const float *row = padded + (oh * s + kh) * columns + ow0 * s;
        const float *w = Wb + (g0 * kk + kh * k) * 8;
        for (long kw = 0; kw < k; kw++) {
            __m256 wv[4];
            for (int q = 0; q < Q; q++) wv[q] = _mm256_loadu_ps(w + (q * kk + kw) * 8);
            for (int r = 0; r < P; r++) {
                __m256 x = _mm256_broadcast_ss(row + r * s + kw);
                for (int q = 0; q < Q; q++) acc[r][q] = _mm256_fmadd_ps(x, wv[q], acc[r][q]);
            }
        }
    }
    const __m256 zero = _mm256_setzero_ps();
    for (int q = 0; q < Q; q++)
        for (int r = 0; r < P; r++) {
            __m256 v = relu ? _mm256_max_ps(acc[r][q], zero) : acc[r][q];
            _mm256_storeu_ps(row_out + ((g0 + q) * g->out_width + ow0 + r) * 8, v);
        }
}

/* One row of the tensor: tiles of P positions, then single positions, for every group tile. */
#define SPREAD_ROW(P, Q, K, S)                                                                                   \
    for (long g0 = 0; g0 < groups; g0 += Q) {                                                                    \
        long ow = 0;                                                                                             \
        for (; ow + P <= g->out_width; ow += P) spread_tile(P, Q, K, S, g, padded, columns, Wb, bias, relu, row_out, oh, ow, g0); \
        for (; ow < g->out_width; ow++) spread_tile(1, Q, K, S, g, padded, columns, Wb, bias, relu, row_out, oh, ow, g0); \
    }

/* W [C, k²] as Wb [C/8, k², 8]: the blocked layout with k² positions. */
static void spread_weights(const bv_sc_geometry *g, const float *weight, float *Wb) {
    bv_channel_blocks(weight, 1, g->channels, g->kernel * g->kernel, Wb, 1, 8);
}

/* Row oh of one image's tensor `out` [C/8, Ho, Wo, 8] from its padded image, masked by the same
   row of `mask` (NULL: none), with non-temporal stores when `stream` (out 16-byte aligned). */
static void spread_row(const bv_sc_geometry *g, const float *padded, const float *Wb, const float *bias, int relu, const float *mask,
                       int stream, float *row_out, float *out, long oh) {
    const long groups = g->channels / 8, columns = padded_columns(g), plane = g->out_height * g->out_width;
    /* The burgess layers' 4×4 kernel at stride 2 with its loops unrolled; any other by the same tiles. */
    if (groups % 2 == 0 && g->kernel == 4 && g->stride == 2) { SPREAD_ROW(4, 2, 4, 2) }
    else if (groups % 2 == 0) { SPREAD_ROW(4, 2, g->kernel, g->stride) }
    else { SPREAD_ROW(8, 1, g->kernel, g->stride) }
    /* The row goes out in one run of stores per group, masked if asked. Why a row buffer: the
       tiles' stores, spread among the FMAs, ran the first layer's forward at 74 GFLOPS in
       `bench conv`; written a row at a time it ran at 136 (one run each, on a shared machine
       whose figures moved by up to 2×: a sign, not a measurement). */
    for (long q = 0; q < groups; q++) {
        float *to = out + (q * plane + oh * g->out_width) * 8;
        const float *from = row_out + q * g->out_width * 8;
        if (!mask && !stream) { memcpy(to, from, sizeof(float) * 8 * g->out_width); continue; }
        const float *m = mask + (q * plane + oh * g->out_width) * 8;
        for (long i = 0; i < 8 * g->out_width; i += 8) {
            __m256 v = _mm256_loadu_ps(from + i);
            if (mask) v = _mm256_and_ps(v, _mm256_cmp_ps(_mm256_loadu_ps(m + i), _mm256_setzero_ps(), _CMP_GT_OQ));
            if (stream) {
                _mm_stream_ps(to + i, _mm256_castps256_ps128(v));
                _mm_stream_ps(to + i + 4, _mm256_extractf128_ps(v, 1));
            } else {
                _mm256_storeu_ps(to + i, v);
            }
        }
    }
}

void bv_sc_spread(const bv_sc_geometry *g, long batch, const float *image, const float *weight, const float *bias, int relu,
                  const float *mask, float *tensor, float *scratch) {
    const long size = g->channels * g->out_height * g->out_width;
    float *Wb = rearranged_weights(g, scratch);
    spread_weights(g, weight, Wb);
    for (long n = 0; n < batch; n++) {
        pad_image(g, image + n * g->height * g->width, scratch);
        for (long oh = 0; oh < g->out_height; oh++)
            spread_row(g, scratch, Wb, bias, relu, mask ? mask + n * size : NULL, 0, row_buffer(g, scratch), tensor + n * size, oh);
    }
}

/* ---- gather ---------------------------------------------------------------------------------- */

/* P positions (ow0 …) of row oh: their k² sums Σ_c W[c, t] · T[c, pos] (V vectors of taps), added
   into the padded image. Wt is [C, V·8] (taps padded with zeros). `carry` (4×4 kernels at stride 2,
   P = 4): each image row's sums go in as one 8-wide add, the last two columns carried into the
   next tile's, since adding each position's 4 columns on their own made every add wait for the
   store of the position before, which overlaps it by two columns (store-to-load forwarding fails
   on a partial overlap). */
static inline __attribute__((always_inline)) void gather_tile(const int P, const int V, const long k, const long s,
                                                              const bv_sc_geometry *g, const float *in, const float *Wt, float *padded,
                                                              long columns, long oh, long ow0, float *carry) {
    const long plane = g->out_height * g->out_width;
    __m256 acc[6][2];   /* P ≤ 6, V ≤ 2 */
    for (int r = 0; r < P; r++)
        for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_ps();
    const float *at = in + (oh * g->out_width + ow0) * 8;
    for (long c0 = 0; c0 < g->channels; c0 += 8, at += plane * 8) {
        for (int lane = 0; lane < 8; lane++) {
            const float *w = Wt + (c0 + lane) * V * 8;
            __m256 wv[2];
            for (int v = 0; v < V; v++) wv[v] = _mm256_loadu_ps(w + v * 8);
            for (int r = 0; r < P; r++) {
                __m256 x = _mm256_broadcast_ss(at + r * 8 + lane);
                for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(x, wv[v], acc[r][v]);
            }
        }
    }
    if (carry && P == 4 && V == 2 && k == 4 && s == 2) {
        /* Row kh of positions 0 and 2 (A, C: columns 0–3 and 4–7), and of 1 and 3 (B, D: columns
           2–5 and 6–9), as one 8-column segment: A|C + (B|D shifted up two columns), plus the
           carry of the tile before in columns 0–1; D's columns 8–9 are the new carry. */
        const __m256i up_two = _mm256_setr_epi32(0, 0, 0, 1, 2, 3, 4, 5);
        for (int kh = 0; kh < 4; kh++) {
            const int v = kh / 2;
            __m256 ac = kh % 2 ? _mm256_permute2f128_ps(acc[0][v], acc[2][v], 0x31) : _mm256_permute2f128_ps(acc[0][v], acc[2][v], 0x20);
            __m256 bd = kh % 2 ? _mm256_permute2f128_ps(acc[1][v], acc[3][v], 0x31) : _mm256_permute2f128_ps(acc[1][v], acc[3][v], 0x20);
            __m256 shifted = _mm256_blend_ps(_mm256_permutevar8x32_ps(bd, up_two), _mm256_setzero_ps(), 0x03);
            __m256 carried = _mm256_setr_ps(carry[2 * kh], carry[2 * kh + 1], 0, 0, 0, 0, 0, 0);
            float *dst = padded + (oh * 2 + kh) * columns + ow0 * 2;
            _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_loadu_ps(dst), _mm256_add_ps(_mm256_add_ps(ac, shifted), carried)));
            __m128 d = _mm256_extractf128_ps(bd, 1);
            _mm_storel_pi((__m64 *)(carry + 2 * kh), _mm_movehl_ps(d, d));
        }
        return;
    }
    for (int r = 0; r < P; r++) {
        float sums[16];
        for (int v = 0; v < V; v++) _mm256_storeu_ps(sums + v * 8, acc[r][v]);
        float *corner = padded + oh * s * columns + (ow0 + r) * s;
        if (k == 4) {
            for (int kh = 0; kh < 4; kh++) {
                float *dst = corner + kh * columns;
                _mm_storeu_ps(dst, _mm_add_ps(_mm_loadu_ps(dst), _mm_loadu_ps(sums + kh * 4)));
            }
        } else {
            for (long kh = 0; kh < k; kh++)
                for (long kw = 0; kw < k; kw++) corner[kh * columns + kw] += sums[kh * k + kw];
        }
    }
}

/* A row of the 4×4 stride-2 kernel: tiles of 4 positions with their carried columns, then the
   carry, then single positions. */
static inline __attribute__((always_inline)) void gather_row_4x2(const bv_sc_geometry *g, const float *in, const float *Wt, float *padded,
                                                                 long columns, long oh) {
    float carry[8] = {0};
    long ow = 0;
    for (; ow + 4 <= g->out_width; ow += 4) gather_tile(4, 2, 4, 2, g, in, Wt, padded, columns, oh, ow, carry);
    for (int kh = 0; kh < 4; kh++) {
        padded[(oh * 2 + kh) * columns + ow * 2] += carry[2 * kh];
        padded[(oh * 2 + kh) * columns + ow * 2 + 1] += carry[2 * kh + 1];
    }
    for (; ow < g->out_width; ow++) gather_tile(1, 2, 4, 2, g, in, Wt, padded, columns, oh, ow, NULL);
}

#define GATHER_ROW(P, V, K, S)                                                                                  \
    {                                                                                                           \
        long ow = 0;                                                                                            \
        for (; ow + P <= g->out_width; ow += P) gather_tile(P, V, K, S, g, in, Wt, padded, columns, oh, ow, NULL); \
        for (; ow < g->out_width; ow++) gather_tile(1, V, K, S, g, in, Wt, padded, columns, oh, ow, NULL);         \
    }

/* The generic path for kernels over 4×4 (k² > 16 taps): V = ⌈k²/8⌉ vectors, one position at a time. */
static void gather_position(const bv_sc_geometry *g, const float *in, const float *Wt, long V, float *padded, long columns,
                            long oh, long ow) {
    const long k = g->kernel, s = g->stride, plane = g->out_height * g->out_width;
    float *corner = padded + oh * s * columns + ow * s;
    for (long c = 0; c < g->channels; c++) {
        float x = in[(c / 8) * plane * 8 + (oh * g->out_width + ow) * 8 + c % 8];
        const float *w = Wt + c * V * 8;
        for (long kh = 0; kh < k; kh++)
            for (long kw = 0; kw < k; kw++) corner[kh * columns + kw] += x * w[kh * k + kw];
    }
}

void bv_sc_gather(const bv_sc_geometry *g, long batch, const float *tensor, const float *weight, const float *bias,
                  float *image, float *scratch) {
    const long kk = g->kernel * g->kernel, V = taps_padded(g) / 8, rows = padded_rows(g), columns = padded_columns(g);
    float *padded = scratch, *Wt = rearranged_weights(g, scratch);
    for (long c = 0; c < g->channels; c++)
        for (long t = 0; t < V * 8; t++) Wt[c * V * 8 + t] = t < kk ? weight[c * kk + t] : 0;
    const float b = bias ? *bias : 0;
    for (long n = 0; n < batch; n++) {
        const float *in = tensor + n * g->channels * g->out_height * g->out_width;
        memset(padded, 0, sizeof(float) * rows * columns);
        for (long oh = 0; oh < g->out_height; oh++) {
            if (g->kernel == 4 && g->stride == 2) gather_row_4x2(g, in, Wt, padded, columns, oh);
            else if (V == 1) GATHER_ROW(6, 1, g->kernel, g->stride)
            else if (V == 2) GATHER_ROW(4, 2, g->kernel, g->stride)
            else for (long ow = 0; ow < g->out_width; ow++) gather_position(g, in, Wt, V, padded, columns, oh, ow);
        }
        float *out = image + n * g->height * g->width;
        for (long y = 0; y < g->height; y++) {
            const float *from = padded + (y + g->padding) * columns + g->padding;
            for (long x = 0; x < g->width; x++) out[y * g->width + x] = from[x] + b;
        }
    }
}

/* ---- weights --------------------------------------------------------------------------------- */

/* Taps t0 … t0+T−1 × channel groups g0 … g0+Q−1 over row oh: dWb [C/8, k², 8] += the row's sums. */
static inline __attribute__((always_inline)) void weights_tile(const int T, const int Q, const long k, const long s,
                                                               const bv_sc_geometry *g, const float *padded, long columns,
                                                               const float *in, float *dWb, long oh, long t0, long g0) {
    const long kk = k * k, plane = g->out_height * g->out_width;
    __m256 acc[8][4];   /* T ≤ 8, Q ≤ 4 */
    for (int t = 0; t < T; t++)
        for (int q = 0; q < Q; q++) acc[t][q] = _mm256_setzero_ps();
    const float *source[8];
    for (int t = 0; t < T; t++) source[t] = padded + (oh * s + (t0 + t) / k) * columns + (t0 + t) % k;
    const float *at = in + (g0 * plane + oh * g->out_width) * 8;
    for (long ow = 0; ow < g->out_width; ow++, at += 8) {
        __m256 xv[4];
        for (int q = 0; q < Q; q++) xv[q] = _mm256_loadu_ps(at + q * plane * 8);
        for (int t = 0; t < T; t++) {
            __m256 x = _mm256_broadcast_ss(source[t] + ow * s);
            for (int q = 0; q < Q; q++) acc[t][q] = _mm256_fmadd_ps(x, xv[q], acc[t][q]);
        }
    }
    for (int q = 0; q < Q; q++)
        for (int t = 0; t < T; t++) {
            float *d = dWb + ((g0 + q) * kk + t0 + t) * 8;
            _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), acc[t][q]));
        }
}

#define WEIGHTS_ROW(T, Q, K, S)                                                                                 \
    for (long g0 = 0; g0 < groups; g0 += Q) {                                                                   \
        long t = 0;                                                                                             \
        for (; t + T <= kk; t += T) weights_tile(T, Q, K, S, g, padded, columns, in, dWb, oh, t, g0);           \
        for (; t < kk; t++) weights_tile(1, Q, K, S, g, padded, columns, in, dWb, oh, t, g0);                   \
    }

/* Row oh of one image into dWb [C/8, k², 8], from its tensor `in` and padded image. */
static void weights_row(const bv_sc_geometry *g, const float *padded, const float *in, float *dWb, long oh) {
    const long kk = g->kernel * g->kernel, groups = g->channels / 8, columns = padded_columns(g);
    if (groups % 4 == 0 && g->kernel == 4 && g->stride == 2) { WEIGHTS_ROW(2, 4, 4, 2) }
    else if (groups % 4 == 0) { WEIGHTS_ROW(2, 4, g->kernel, g->stride) }
    else if (groups % 2 == 0) { WEIGHTS_ROW(4, 2, g->kernel, g->stride) }
    else { WEIGHTS_ROW(8, 1, g->kernel, g->stride) }
}

/* db[c] += Σ over one image's tensor `in` of channel c. Not bv_blocked_bias_gradient: its one
   running sum per lane waits on each add's latency, by count about four times the cycles of these
   four sums (estimated, not timed). */
static void bias_sums(const bv_sc_geometry *g, const float *in, float *bias_gradient) {
    const long plane = g->out_height * g->out_width;
    for (long c0 = 0; c0 < g->channels / 8; c0++) {
        const float *at = in + c0 * plane * 8;
        /* Four running sums: one would wait on each add's latency. */
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        long i = 0;
        for (; i + 4 <= plane; i += 4) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(at + i * 8));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(at + i * 8 + 8));
            s2 = _mm256_add_ps(s2, _mm256_loadu_ps(at + i * 8 + 16));
            s3 = _mm256_add_ps(s3, _mm256_loadu_ps(at + i * 8 + 24));
        }
        for (; i < plane; i++) s0 = _mm256_add_ps(s0, _mm256_loadu_ps(at + i * 8));
        __m256 sum = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        float lanes[8];
        _mm256_storeu_ps(lanes, sum);
        for (int lane = 0; lane < 8; lane++) bias_gradient[c0 * 8 + lane] += lanes[lane];
    }
}

/* ∂W [C, k²] += dWb [C/8, k², 8], through `plain` (C·k² floats of scratch). */
static void add_weight_sums(const bv_sc_geometry *g, const float *dWb, float *plain, float *weight_gradient) {
    const long count = g->channels * g->kernel * g->kernel;
    bv_channel_blocks(dWb, 1, g->channels, g->kernel * g->kernel, plain, 0, 8);
    for (long i = 0; i < count; i++) weight_gradient[i] += plain[i];
}

void bv_sc_weights(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                   float *bias_gradient, float *scratch) {
    const long size = g->channels * g->out_height * g->out_width;
    float *dWb = weight_sums(g, scratch);
    memset(dWb, 0, sizeof(float) * g->channels * g->kernel * g->kernel);
    for (long n = 0; n < batch; n++) {
        pad_image(g, image + n * g->height * g->width, scratch);
        for (long oh = 0; oh < g->out_height; oh++) weights_row(g, scratch, tensor + n * size, dWb, oh);
        if (bias_gradient) bias_sums(g, tensor + n * size, bias_gradient);
    }
    add_weight_sums(g, dWb, rearranged_weights(g, scratch), weight_gradient);
}

void bv_sc_weights_and_spread(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                              const float *weight, int masked, float *spread, float *scratch) {
    const long size = g->channels * g->out_height * g->out_width;
    float *Wb = rearranged_weights(g, scratch), *dWb = weight_sums(g, scratch);
    /* ∂x goes out with non-temporal stores: they spare the read of each line before it is
       written, a third of this pass's memory traffic. In `bench conv`, alternated five times on
       the same binary, the 32→1 layer's backward ran at 63–94 GFLOPS against 54–67 with plain
       stores. (The first layer's forward, whose output the next layer reads at once, ran slower
       with them: 57–80 against 78–101, so spread keeps plain stores.) */
    const int stream = ((uintptr_t)spread & 15) == 0;
    spread_weights(g, weight, Wb);
    memset(dWb, 0, sizeof(float) * g->channels * g->kernel * g->kernel);
    for (long n = 0; n < batch; n++) {
        pad_image(g, image + n * g->height * g->width, scratch);
        const float *in = tensor + n * size;
        /* Row by row, so that the mask is the tensor row the weight pass has just read. */
        for (long oh = 0; oh < g->out_height; oh++) {
            weights_row(g, scratch, in, dWb, oh);
            spread_row(g, scratch, Wb, NULL, 0, masked ? in : NULL, stream, row_buffer(g, scratch), spread + n * size, oh);
        }
    }
    /* The non-temporal stores are visible to the thread that reads ∂x next once this returns. */
    _mm_sfence();
    add_weight_sums(g, dWb, rearranged_weights(g, scratch), weight_gradient);
}

#else
int bv_sc_available(void) { return 0; }
long bv_sc_scratch_floats(const bv_sc_geometry *g) { (void)g; return 0; }
void bv_sc_spread(const bv_sc_geometry *g, long batch, const float *image, const float *weight, const float *bias, int relu,
                  const float *mask, float *tensor, float *scratch) {}
void bv_sc_gather(const bv_sc_geometry *g, long batch, const float *tensor, const float *weight, const float *bias,
                  float *image, float *scratch) {}
void bv_sc_weights(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                   float *bias_gradient, float *scratch) {}
void bv_sc_weights_and_spread(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                              const float *weight, int masked, float *spread, float *scratch) {}
#endif
