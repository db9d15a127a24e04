// oneDNN's direct convolutions (Debian's libdnnl-dev 2.6, the CPU backend of PyTorch), driven from
// C because its API is a web of descriptor structs and handles. Only the Engine module imports this
// header.
#ifndef BETAVAE_DIRECT_CONVOLUTION_H
#define BETAVAE_DIRECT_CONVOLUTION_H

/// One convolution y = W ⋆ x + b for a fixed chunk of `batch` images, in oneDNN's jit kernels on
/// its blocked layouts (nChw16c), for use by one thread at a time (its own stream, scratchpad and
/// buffers; oneDNN held to one OpenMP thread).
///
/// Shapes, all row-major as the engine stores them: x [batch, cin, h, w], W [cout, cin, k, k],
/// b [cout], y [batch, cout, ho, wo]; padding `pad_low` at the top and left, `pad_bottom` and
/// `pad_right` at the other sides (ho = (h + pad_low + pad_bottom − k)/stride + 1, wo likewise).
/// x and y are NCHW, or, when `source_blocked` / `dest_blocked` is set, in oneDNN's nChw{B}c with
/// B = bv_channel_block() (channels a multiple of B: [batch, C/B, H, W, B]), the layout its
/// kernels work in on this CPU (nChw16c with AVX-512, nChw8c with AVX2), which
/// two convolutions with only element-wise layers between them pass to each other
/// (`ConvolutionLinks`). Each call reorders operands the kernel wants in another layout and the
/// result back.
typedef struct bv_direct_conv bv_direct_conv;

/// NULL when oneDNN has no jit kernel for one of the passes at these sizes. `data_pass` = 0 makes
/// it without the backward-data pass (bv_direct_conv_backward_data then fails): for sources of
/// few channels, whose ∂x the engine computes by col2im, and for which oneDNN's AVX2 kernels have
/// no backward-data kernel at all, which took the forward and weight passes down with it.
bv_direct_conv *bv_direct_conv_create(long batch, long cin, long h, long w, long cout, long ho, long wo, long kernel,
                                      long stride, long pad_low, long pad_bottom, long pad_right, int source_blocked,
                                      int dest_blocked, int relu, int data_pass);
void bv_direct_conv_destroy(bv_direct_conv *conv);

/// y = W ⋆ x + b (b may be NULL: no bias), then max(y, 0) when the convolution was made with
/// `relu` (a fused ReLU, `ConvolutionLinks`). Returns 0, or oneDNN's status on failure.
int bv_direct_conv_forward(bv_direct_conv *conv, const float *x, const float *w, const float *b, float *y);

/// ∂x = Wᵀ ⋆ ∂y (the adjoint of forward in x), overwriting dx.
int bv_direct_conv_backward_data(bv_direct_conv *conv, const float *dy, const float *w, float *dx);

/// ∂W += Σ_n ∂y ⋆ x and, when db is not NULL, ∂b += Σ ∂y over images and positions.
int bv_direct_conv_backward_weights(bv_direct_conv *conv, const float *x, const float *dy, float *dw, float *db);
#endif
