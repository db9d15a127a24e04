// The engine's own kernels for convolutions between a one-channel image and a tensor of C
// channels (C a multiple of 8) in oneDNN's nChw8c layout: the burgess net's first layer
// (Conv2d 1→32) and last (ConvTranspose2d 32→1). Why: on an AVX2 CPU, oneDNN 2.6 ran these at
// 23–80 GFLOPS against its 147 GFLOPS sgemm (a reduction over one channel's k² taps per output
// gives its kernels too little work per load), and has no backward-data kernel for one channel
// at all (docs/performance.md). Only the Engine module imports this header.
#ifndef BETAVAE_SINGLE_CHANNEL_CONVOLUTION_H
#define BETAVAE_SINGLE_CHANNEL_CONVOLUTION_H

/// The geometry of one convolution between a one-channel image [H, W] and a C-channel tensor
/// [C/8, Ho, Wo, 8] (nChw8c): position (oh, ow) of the tensor sees image pixels
/// (oh·stride − padding + kh, ow·stride − padding + kw) for kh, kw < kernel, those outside the
/// image being 0. Ho and Wo are any sizes whose windows start inside the padded image.
typedef struct {
    long height, width;            /* the image */
    long channels;                 /* C, a multiple of 8 */
    long out_height, out_width;    /* Ho, Wo */
    long kernel, stride, padding;
} bv_sc_geometry;

/// 1 when this build has the kernels (x86-64 with AVX2 and FMA, which the whole build assumes).
int bv_sc_available(void);

/// Floats of scratch the passes need per call (a zero-padded image and the rearranged weights).
long bv_sc_scratch_floats(const bv_sc_geometry *g);

/// T[n, c, oh, ow] = b[c] + Σ_{kh,kw} W[c, kh, kw] · I[n, oh·s − p + kh, ow·s − p + kw], then
/// max(T, 0) when `relu`, and T = 0 where `mask` (a tensor like T, or NULL) is not > 0: Conv2d
/// 1→C's forward pass, and ConvTranspose2d C→1's ∂x (b NULL; the mask a fused ReLU's output).
/// I [batch, H, W], W [C, k, k] (Conv2d's [C, 1, k, k], ConvTranspose2d's [C, 1, k, k]),
/// T [batch, C/8, Ho, Wo, 8], written whole.
void bv_sc_spread(const bv_sc_geometry *g, long batch, const float *image, const float *weight, const float *bias, int relu,
                  const float *mask, float *tensor, float *scratch);

/// I[n, y, x] = b + Σ_{c, kh, kw: y = oh·s − p + kh, x = ow·s − p + kw} W[c, kh, kw] · T[n, c, oh, ow]: the adjoint
/// of bv_sc_spread in its image, ConvTranspose2d C→1's forward pass (b its bias, or NULL for 0) and
/// Conv2d 1→C's ∂x. I [batch, H, W] written whole.
void bv_sc_gather(const bv_sc_geometry *g, long batch, const float *tensor, const float *weight, const float *bias,
                  float *image, float *scratch);

/// ∂W[c, kh, kw] += Σ_{n, oh, ow} T[n, c, oh, ow] · I[n, oh·s − p + kh, ow·s − p + kw]: the weight
/// gradient of both layers (Conv2d 1→C: T = ∂y, I = x; ConvTranspose2d C→1: T = x, I = ∂y), and
/// ∂b[c] += Σ T[n, c, ·] when `bias_gradient` is not NULL (Conv2d's bias).
void bv_sc_weights(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                   float *bias_gradient, float *scratch);

/// bv_sc_weights without a bias gradient, then bv_sc_spread of the same image into `spread` with
/// W = `weight`, no bias, and T itself as the mask when `masked`: ConvTranspose2d C→1's backward
/// pass (I = ∂y, T = x, `spread` = ∂x; the mask a fused ReLU's). Fused row by row so that x is read
/// from memory once: each mask row is the row the weight pass has just read.
void bv_sc_weights_and_spread(const bv_sc_geometry *g, long batch, const float *image, const float *tensor, float *weight_gradient,
                              const float *weight, int masked, float *spread, float *scratch);
#endif
