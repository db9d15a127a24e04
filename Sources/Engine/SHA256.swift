import CCrypto

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto, so a run can name the exact file its weights came
/// from; the digest is the one `sha256sum` prints.
public enum SHA256 {
    /// The digest of `bytes` as 64 lowercase hexadecimal digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest fails only when OpenSSL cannot allocate a context: not something a caller can fix.
        precondition(ok == 1 && length == 32, "OpenSSL's EVP_Digest(SHA-256) failed")
        return digest.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }
}
