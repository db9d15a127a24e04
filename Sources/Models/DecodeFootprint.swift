import Engine

extension VAE {
    /// Floats that decoding one code holds at the peak of a batched decode and its likelihood, so a
    /// caller can size batches to a memory budget whatever the architecture.
    ///
    /// Each decoder layer keeps its input and output for backward; a transposed convolution also
    /// keeps its input in channel-first order and its column matrix `[Cout·k·k, H·W]` per code (the
    /// Wᵀ·X product before col2im). The likelihood adds the targets, the output and one temporary
    /// `[C·H·W]`. Computed by passing one zero code through the decoder's layers (shapes only).
    public var decodeFloatsPerCode: Int {
        var x = Tensor(shape: [1, spec.latent + spec.conditionClasses])
        var floats = 0
        for layer in decoder.layers {
            let y = layer.forward(x)
            floats += x.count + y.count
            if let convolution = layer as? ConvTranspose2d {
                let positions = x.count / convolution.inputChannels
                floats += x.count + convolution.outputChannels * convolution.kernel * convolution.kernel * positions
            } else if let convolution = layer as? Conv2d {
                let positions = y.count / convolution.outputChannels
                floats += x.count + convolution.inputChannels * convolution.kernel * convolution.kernel * positions
            }
            x = y
        }
        return floats + 3 * x.count
    }
}
