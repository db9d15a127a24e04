import CKernels

/// Allocator settings for training loops.
public enum MemoryTuning {
    /// Keeps freed memory in the heap instead of returning it to the kernel. A training step
    /// allocates and frees the same large buffers every time; with glibc's defaults each one is a
    /// fresh mmap whose pages the kernel zeroes on first touch (13% of a conv step's time).
    public static func retainFreedMemory() {
        bv_retain_freed_memory()
    }
}
