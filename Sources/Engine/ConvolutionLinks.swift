/// Layers that apply one function to each element on its own (ReLU, LeakyReLU, Sigmoid, Tanh):
/// they give the same result whatever order the elements are stored in, so a tensor in oneDNN's
/// blocked layout can pass through them (`ConvolutionLinks`).
public protocol ElementwiseLayer: Layer {}

/// Two convolutions with only element-wise layers between them, whose shared tensor has a
/// multiple of B channels, pass that tensor (and its gradient) in oneDNN's blocked layout nChw{B}c
/// `[N, C/B, H, W, B]` (B = `ChannelBlocks.width`: 16 with AVX-512, 8 with AVX2) instead of NCHW: the producer's kernel writes it and the consumer's
/// reads it as they are, where NCHW took a reorder on each side in every pass. Why: those
/// reorders were 28% of the burgess step's oneDNN time (ONEDNN_VERBOSE, docs/performance.md).
/// The tensor between linked layers is only ever read by them and the element-wise layers, and
/// its shape stays `[N, C, H, W]`.
///
/// A linked pair with exactly one ReLU between them also fuses it: the producer writes max(y, 0)
/// (oneDNN's post-op, or the transposed convolution's bias pass), the consumer zeroes its ∂x
/// where its input is 0, chunk by chunk while the chunk is in cache, and the ReLU passes its
/// tensors through. Why: the ReLU's two passes over the burgess net's 8 MB activations were 6%
/// of a step's CPU time (perf).
enum ConvolutionLinks {
    /// Marks every linked pair in `layers` (a `Sequential`'s, in order), and the ReLUs they fuse.
    static func link(_ layers: [Layer]) {
        var producer: ConvolutionLayer?
        var between: [Layer] = []
        for layer in layers {
            if layer is ElementwiseLayer {
                between.append(layer)
                continue
            }
            if let consumer = layer as? ConvolutionLayer, let producer, producer.outputChannels == consumer.inputChannels,
               producer.outputChannels % ChannelBlocks.width == 0 {
                producer.outputBlocked = true
                consumer.inputBlocked = true
                if between.count == 1, let relu = between[0] as? ReLU {
                    producer.rectifiesOutput = true
                    consumer.masksInputGradient = true
                    relu.passesThrough = true
                }
            }
            producer = layer as? ConvolutionLayer
            between = []
        }
    }

    /// Undoes `link` (each layer computes on its own again, NCHW between them): for tests that
    /// check the linked path against the plain one.
    static func unlink(_ layers: [Layer]) {
        for layer in layers {
            if let convolution = layer as? ConvolutionLayer {
                (convolution.inputBlocked, convolution.outputBlocked) = (false, false)
                (convolution.rectifiesOutput, convolution.masksInputGradient) = (false, false)
            }
            (layer as? ReLU)?.passesThrough = false
        }
    }
}
