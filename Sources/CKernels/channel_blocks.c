// oneDNN's nChw16c layout ([N, C/16, H, W, 16]) outside oneDNN: the conversions and bias passes
// a linked convolution (ConvolutionLinks) needs where it does not run a oneDNN kernel.
#include "channel_blocks.h"

void bv_channel_blocks(const float *restrict from, long batch, long channels, long plane, float *restrict to, int to_blocked) {
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / 16; block++) {
            long image = (n * channels + block * 16) * plane;   // the same offset in both layouts
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < 16; lane++) {
                    long plain = image + lane * plane + p, blocked = image + p * 16 + lane;
                    if (to_blocked) to[blocked] = from[plain]; else to[plain] = from[blocked];
                }
        }
}

void bv_blocked_channels_first(const float *restrict from, long batch, long channels, long plane, float *restrict to) {
    // Position by position: each read is one 64-byte line of 16 channels, written to 16 rows.
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / 16; block++) {
            const float *restrict image = from + (n * channels + block * 16) * plane;
            float *restrict rows = to + block * 16 * batch * plane + n * plane;
            long stride = batch * plane;
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < 16; lane++) rows[lane * stride + p] = image[p * 16 + lane];
        }
}

void bv_blocked_bias_add(const float *restrict bias, float *restrict y, long batch, long channels, long plane, int relu) {
    for (long n = 0; n < batch; n++)
        for (long block = 0; block < channels / 16; block++) {
            float *restrict row = y + (n * channels + block * 16) * plane;
            const float *b = bias + block * 16;
            if (relu) {
                for (long p = 0; p < plane; p++)
                    for (long lane = 0; lane < 16; lane++) {
                        float v = row[p * 16 + lane] + b[lane];
                        row[p * 16 + lane] = v > 0 ? v : 0;
                    }
            } else {
                for (long p = 0; p < plane; p++)
                    for (long lane = 0; lane < 16; lane++) row[p * 16 + lane] += b[lane];
            }
        }
}

void bv_blocked_bias_gradient(const float *restrict dy, float *restrict db, long batch, long channels, long plane) {
    for (long block = 0; block < channels / 16; block++) {
        float sums[16] = {0};
        for (long n = 0; n < batch; n++) {
            const float *restrict row = dy + (n * channels + block * 16) * plane;
            for (long p = 0; p < plane; p++)
                for (long lane = 0; lane < 16; lane++) sums[lane] += row[p * 16 + lane];
        }
        for (long lane = 0; lane < 16; lane++) db[block * 16 + lane] += sums[lane];
    }
}
