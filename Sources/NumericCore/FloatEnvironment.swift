import _CFloatEnvironment

/// Per-thread floating-point settings for training.
public enum FloatEnvironment {
    /// Flush denormals to zero on the calling thread (x86-64 MXCSR FTZ/DAZ, arm64 FPCR.FZ).
    public static func flushDenormalsOnThisThread() { fashion_flush_denormals() }
}
