import Engine

/// Encoder/decoder families. Each builds three `Sequential`s that mirror a PyTorch module
/// (see README): `features` (x → [N, F]), `encoder` ([N, F + K] → [N, 2Z]: μ then log σ²) and
/// `decoder` ([N, Z + K] → [N, C, H, W] logits or means), K = classes for a conditional model, else 0.
public enum Architecture: String, CaseIterable, Codable, Sendable {
    /// pytorch/examples VAE: D-H-…-2Z encoder and Z-…-H-D decoder with ReLU (H = 400 by default).
    case mlp
    /// A small convolutional VAE for 28×28: two stride-2 4×4 convolutions (32, 64 channels), FC 256.
    case conv28
    /// Burgess et al. 2018 / Higgins et al. 2017 for 64×64: 4 × Conv2d(32, 4×4, stride 2), FC 256,
    /// FC 256, a linear layer to 2Z; the decoder the transpose.
    case burgess
    /// disentanglement_lib's convolutional VAE for 64×64 (Locatello et al. 2019, after Higgins et al.
    /// 2017's Table 1), as disent writes it (EncoderConv64/DecoderConv64): Conv2d 32, 32, 64, 64
    /// (4×4, stride 2, padding 2: 64 → 33 → 17 → 9 → 5), FC 256, a linear layer to 2Z; the decoder
    /// FC 256, FC 1024 as 64×4×4, ConvTranspose2d 64, 32, 32, C (4×4, stride 2, padding 1: 4 → 64).
    case dislib
    /// 1Konny/Beta-VAE's BetaVAE_H for 64×64 (after Higgins et al. 2017): Conv2d 32, 32, 64, 64 (4×4,
    /// stride 2, padding 1: 64 → 4), a 256-channel 4×4 convolution to 1×1, a linear layer to 2Z; the
    /// decoder FC 256 as 256×1×1, ConvTranspose2d 64 (4×4, stride 1: 1 → 4), then 64, 32, 32, C
    /// (4×4, stride 2, padding 1: 4 → 64).
    case conv64

    /// Why this architecture cannot take `imageShape` ([C, H, W]), or nil when it fits.
    public func misfit(imageShape: [Int]) -> String? {
        switch self {
        case .mlp: return nil
        case .conv28:
            return imageShape[1] == 28 && imageShape[2] == 28 ? nil
                : "model conv28 needs 28×28 images, but the data is \(imageShape[1])×\(imageShape[2]); use --model mlp or burgess"
        case .burgess:
            return imageShape[1] == 64 && imageShape[2] == 64 ? nil
                : "model burgess needs 64×64 images, but the data is \(imageShape[1])×\(imageShape[2]); use --model mlp or conv28"
        case .dislib, .conv64:
            return imageShape[1] == 64 && imageShape[2] == 64 ? nil
                : "model \(rawValue) needs 64×64 images, but the data is \(imageShape[1])×\(imageShape[2]); use --model mlp or conv28"
        }
    }

    /// Builds the three stages with PyTorch's default initialisation drawn from `rng`.
    ///
    /// - Parameters: `imageShape` [C, H, W]; `hidden` sizes of the MLP's hidden layers (encoder
    ///   order); `latent` Z; `conditionClasses` K (0 for an unconditional model).
    func build(imageShape: [Int], hidden: [Int], latent: Int, conditionClasses: Int,
               rng: inout RandomGenerator) -> (features: Sequential, encoder: Sequential, decoder: Sequential) {
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        let k = conditionClasses
        switch self {
        case .mlp:
            let d = c * h * w
            var encoderLayers: [Layer] = []
            var width = d + k
            for size in hidden {
                encoderLayers += [Linear(width, size, rng: &rng), ReLU()]
                width = size
            }
            encoderLayers.append(Linear(width, 2 * latent, rng: &rng))
            var decoderLayers: [Layer] = []
            width = latent + k
            for size in hidden.reversed() {
                decoderLayers += [Linear(width, size, rng: &rng), ReLU()]
                width = size
            }
            decoderLayers += [Linear(width, d, rng: &rng), Unflatten([c, h, w])]
            return (Sequential([Flatten()]), Sequential(encoderLayers), Sequential(decoderLayers))
        case .conv28:
            let features = Sequential([
                Conv2d(c, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 32×14×14
                Conv2d(32, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),  // 64×7×7
                Flatten(),
            ])
            let encoder = Sequential([Linear(64 * 7 * 7 + k, 256, rng: &rng), ReLU(), Linear(256, 2 * latent, rng: &rng)])
            let decoder = Sequential([
                Linear(latent + k, 256, rng: &rng), ReLU(), Linear(256, 64 * 7 * 7, rng: &rng), ReLU(), Unflatten([64, 7, 7]),
                ConvTranspose2d(64, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 32×14×14
                ConvTranspose2d(32, c, kernel: 4, stride: 2, padding: 1, rng: &rng),           // C×28×28
            ])
            return (features, encoder, decoder)
        case .burgess:
            var featureLayers: [Layer] = []
            var channels = c
            for _ in 0..<4 {   // 64 → 32 → 16 → 8 → 4
                featureLayers += [Conv2d(channels, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU()]
                channels = 32
            }
            featureLayers.append(Flatten())
            let encoder = Sequential([
                Linear(32 * 4 * 4 + k, 256, rng: &rng), ReLU(), Linear(256, 256, rng: &rng), ReLU(),
                Linear(256, 2 * latent, rng: &rng),
            ])
            var decoderLayers: [Layer] = [
                Linear(latent + k, 256, rng: &rng), ReLU(), Linear(256, 256, rng: &rng), ReLU(),
                Linear(256, 32 * 4 * 4, rng: &rng), ReLU(), Unflatten([32, 4, 4]),
            ]
            for index in 0..<4 {
                let out = index == 3 ? c : 32
                decoderLayers.append(ConvTranspose2d(32, out, kernel: 4, stride: 2, padding: 1, rng: &rng))
                if index < 3 { decoderLayers.append(ReLU()) }
            }
            return (Sequential(featureLayers), encoder, Sequential(decoderLayers))
        case .dislib:
            // Padding 2 (TensorFlow's "same" written as PyTorch padding) makes the sides odd: 33, 17, 9, 5.
            let features = Sequential([
                Conv2d(c, 32, kernel: 4, stride: 2, padding: 2, rng: &rng), ReLU(),    // 32×33×33
                Conv2d(32, 32, kernel: 4, stride: 2, padding: 2, rng: &rng), ReLU(),   // 32×17×17
                Conv2d(32, 64, kernel: 4, stride: 2, padding: 2, rng: &rng), ReLU(),   // 64×9×9
                Conv2d(64, 64, kernel: 4, stride: 2, padding: 2, rng: &rng), ReLU(),   // 64×5×5
                Flatten(),
            ])
            let encoder = Sequential([Linear(64 * 5 * 5 + k, 256, rng: &rng), ReLU(), Linear(256, 2 * latent, rng: &rng)])
            let decoder = Sequential([
                Linear(latent + k, 256, rng: &rng), ReLU(), Linear(256, 64 * 4 * 4, rng: &rng), ReLU(), Unflatten([64, 4, 4]),
                ConvTranspose2d(64, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 64×8×8
                ConvTranspose2d(64, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 32×16×16
                ConvTranspose2d(32, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 32×32×32
                ConvTranspose2d(32, c, kernel: 4, stride: 2, padding: 1, rng: &rng),            // C×64×64
            ])
            return (features, encoder, decoder)
        case .conv64:
            let features = Sequential([
                Conv2d(c, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),    // 32×32×32
                Conv2d(32, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 32×16×16
                Conv2d(32, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 64×8×8
                Conv2d(64, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),   // 64×4×4
                Conv2d(64, 256, kernel: 4, stride: 1, padding: 0, rng: &rng), ReLU(),  // 256×1×1
                Flatten(),
            ])
            let encoder = Sequential([Linear(256 + k, 2 * latent, rng: &rng)])
            // BetaVAE_H applies its ReLU after the View to 256×1×1; before it, as here, is the same map.
            let decoder = Sequential([
                Linear(latent + k, 256, rng: &rng), ReLU(), Unflatten([256, 1, 1]),
                ConvTranspose2d(256, 64, kernel: 4, stride: 1, padding: 0, rng: &rng), ReLU(),   // 64×4×4
                ConvTranspose2d(64, 64, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),    // 64×8×8
                ConvTranspose2d(64, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),    // 32×16×16
                ConvTranspose2d(32, 32, kernel: 4, stride: 2, padding: 1, rng: &rng), ReLU(),    // 32×32×32
                ConvTranspose2d(32, c, kernel: 4, stride: 2, padding: 1, rng: &rng),             // C×64×64
            ])
            return (features, encoder, decoder)
        }
    }
}
