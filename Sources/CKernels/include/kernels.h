// Element-wise kernels of the engine's hot loops, written in C so that clang vectorises them
// (Swift lowers sqrt to an errno-checking libm call and does not vectorise these loops).
// The Engine module imports this header; Analysis uses prefetch.h.
#ifndef BETAVAE_KERNELS_H
#define BETAVAE_KERNELS_H

// Included here as well as found by the umbrella directory, so a build whose module cache predates
// these headers sees it change and rebuilds the module.
#include "prefetch.h"
#include "single_channel_convolution.h"

/// Adam (Kingma & Ba 2015) for n parameters, PyTorch's form:
/// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; t -= step * m / (sqrt(v) / root_c2 + eps).
void bv_adam_update(long n, const float *gradient, float *first, float *second, float *value,
                    float beta1, float beta2, float epsilon, float step_size, float root_correction2);

/// Bernoulli NLL from logits, rows x cols: per_row[r] = sum_c max(l,0) - l x + log(1 + e^-|l|);
/// when gradient is not NULL, gradient = scale * (sigmoid(l) - x).
void bv_bce_with_logits(long rows, long cols, const float *logits, const float *targets,
                        float *per_row, float *gradient, float scale);



/// ReLU over n elements: y = max(x, 0), and ∂x = ∂y where y > 0, else 0 (a select, so an
/// infinite ∂y at y = 0 gives 0, as PyTorch).
void bv_relu_forward(long n, const float *x, float *y);
void bv_relu_backward(long n, const float *dy, const float *y, float *dx);

/// The two halves of a ReLU fused into the convolutions around it (ConvolutionLinks): x = max(x, 0)
/// in place, and dx = dx where y > 0, else 0, in place.
void bv_relu_in_place(long n, float *x);
void bv_relu_mask(long n, const float *y, float *dx);

/// im2col for `batch` images [N, C, H, W] of a convolution with a square kernel k, stride s and
/// padding p: columns [C*k*k, N*Ho*Wo], row (c*k + ki)*k + kj, column n*Ho*Wo + oy*Wo + ox holds
/// x[n, c, oy*s - p + ki, ox*s - p + kj], or 0 in the padding.
void bv_im2col(const float *image, long batch, long channels, long height, long width, long kernel, long stride,
               long padding, long out_height, long out_width, float *columns);

/// The adjoint of bv_im2col: adds every column entry onto the image position it was read from
/// (image is accumulated into).
void bv_col2im(const float *columns, long batch, long channels, long height, long width, long kernel, long stride,
               long padding, long out_height, long out_width, float *image);

/// The cores this process may run on: its CPU affinity mask (a Slurm task or `taskset` sees
/// its own share of a node), else the online CPUs.
long bv_usable_cores(void);

/// The calling thread's sgemm thread count (the engine's own, kept per thread so that concurrent
/// sweep jobs and a convolution's workers each set theirs); 0 means "not set": the core count.
void bv_set_gemm_threads(int count);
int bv_gemm_threads(void);

/// Keeps freed memory in the heap (glibc mallopt: mmap threshold 32 MiB, trim threshold 1 GiB);
/// a no-op elsewhere.
void bv_retain_freed_memory(void);
#endif
