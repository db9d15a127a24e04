// oneDNN's blocked layout nChw{B}c ([N, C/B, H, W, B], channels a multiple of B) for the engine's
// own loops: what linked convolutions (ConvolutionLinks) need around the passes oneDNN does not
// run. B is the block oneDNN's jit kernels work in on this CPU (bv_channel_block): 16 with
// AVX-512, 8 with AVX2. Only the Engine module imports this header.
#ifndef BETAVAE_CHANNEL_BLOCKS_H
#define BETAVAE_CHANNEL_BLOCKS_H

/// The channel block of oneDNN's convolution kernels on this CPU, as oneDNN's effective ISA
/// says (ONEDNN_MAX_CPU_ISA lowers it): 16 for the AVX-512 cores, 8 otherwise. Why it matters:
/// on an AVX2 CPU oneDNN's kernels want nChw8c, and tensors linked in nChw16c were reordered
/// into nChw8c and back in every pass (ONEDNN_VERBOSE on an AMD EPYC Zen 3).
long bv_channel_block(void);

/// oneDNN's effective instruction set on this CPU ("avx2", "avx512_core", …), for `make bench`.
const char *bv_cpu_isa_name(void);

/// Moves `batch` images of `channels` (a multiple of `block`, 8 or 16) planes of `plane` floats
/// between NCHW and nChw{block}c: to_blocked = 1 reads NCHW `from` and writes blocked `to`, 0 the reverse.
void bv_channel_blocks(const float *from, long batch, long channels, long plane, float *to, int to_blocked, long block);

/// Blocked `from` of `batch` images as the channels-first matrix [channels, batch·plane] (im2col's
/// operand layout), row c holding image n's plane at columns n·plane …
void bv_blocked_channels_first(const float *from, long batch, long channels, long plane, float *to, long block);

/// y[n, c, p] += b[c] for blocked `y` of `batch` images, `channels` (a multiple of `block`),
/// `plane` positions; then y = max(y, 0) when `relu` (a fused ReLU).
void bv_blocked_bias_add(const float *bias, float *y, long batch, long channels, long plane, int relu, long block);

/// db[c] += Σ_{n, p} dy[n, c, p] for blocked `dy`.
void bv_blocked_bias_gradient(const float *dy, float *db, long batch, long channels, long plane, long block);
#endif
