package org.nd4j.nativeblas;

/**
 * Makes DL4J use oneDNN for convolution and pooling layers again.
 *
 * <p>DL4J 1.0.0-M2/M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} asks, by reflection, for the pre-M1 class
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} and its {@code isUseMKLDNN()}. M2 renamed both (to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN()}), the lookup fails
 * silently, and every convolution falls back to Java-side im2col, about 5x slower. This class restores the
 * old name and forwards to the new method. Remove it when DL4J fixes the lookup.</p>
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The old-named environment, forwarding to ND4J's current native environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether the native library has oneDNN enabled. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
