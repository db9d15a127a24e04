// oneDNN's nChw16c layout ([N, C/16, H, W, 16], channels a multiple of 16) for the engine's own
// loops: what linked convolutions (ConvolutionLinks) need around the passes oneDNN does not run.
// Only the Engine module imports this header.
#ifndef BETAVAE_CHANNEL_BLOCKS_H
#define BETAVAE_CHANNEL_BLOCKS_H

/// Moves `batch` images of `channels` (a multiple of 16) planes of `plane` floats between NCHW
/// and nChw16c: to_blocked = 1 reads NCHW `from` and writes nChw16c `to`, 0 the reverse.
void bv_channel_blocks(const float *from, long batch, long channels, long plane, float *to, int to_blocked);

/// nChw16c `from` of `batch` images as the channels-first matrix [channels, batch·plane] (im2col's
/// operand layout), row c holding image n's plane at columns n·plane …
void bv_blocked_channels_first(const float *from, long batch, long channels, long plane, float *to);

/// y[n, c, p] += b[c] for nChw16c `y` of `batch` images, `channels` (a multiple of 16), `plane`
/// positions; then y = max(y, 0) when `relu` (a fused ReLU).
void bv_blocked_bias_add(const float *bias, float *y, long batch, long channels, long plane, int relu);

/// db[c] += Σ_{n, p} dy[n, c, p] for nChw16c `dy`.
void bv_blocked_bias_gradient(const float *dy, float *db, long batch, long channels, long plane);
#endif
