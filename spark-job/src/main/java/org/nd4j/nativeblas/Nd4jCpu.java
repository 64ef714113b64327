package org.nd4j.nativeblas;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Makes DL4J use oneDNN for convolution and pooling layers again.
 *
 * <p>DL4J 1.0.0-M2/M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} asks, by reflection, for the pre-M1 class
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} and its {@code isUseMKLDNN()}. M2 renamed both (to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN()}), the lookup fails
 * silently, and every convolution falls back to Java-side im2col, about 5x slower. This class restores the
 * old name and forwards to the new method. Remove it when DL4J fixes the lookup.</p>
 *
 * <p>The forward goes through reflection so that this class compiles and loads without the CPU backend:
 * the CUDA build ({@code -Pcuda}) has no {@code nd4j-native}, and there it simply reports {@code false}
 * (DL4J asks only on the CPU backend anyway).</p>
 */
public final class Nd4jCpu {
    /** ND4J's current CPU environment class, in {@code nd4j-native}. */
    static final String CPU_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

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

        /** Whether the native library has oneDNN enabled; {@code false} without the CPU backend. */
        public boolean isUseMKLDNN() {
            Method isUseOneDnn = CpuEnvironment.IS_USE_ONEDNN;
            if (isUseOneDnn == null) {
                return false;
            }
            try {
                return (Boolean) isUseOneDnn.invoke(CpuEnvironment.INSTANCE);
            } catch (IllegalAccessException e) {
                return false;
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("ND4J's isUseONEDNN() failed", e.getCause());
            }
        }
    }

    /** Looked up once, on first use (which loads the CPU backend's natives, as the direct call did). */
    private static final class CpuEnvironment {
        static final Object INSTANCE;
        static final Method IS_USE_ONEDNN;

        static {
            Object instance = null;
            Method isUseOneDnn = null;
            try {
                Class<?> env = Class.forName(CPU_ENVIRONMENT, true, Nd4jCpu.class.getClassLoader());
                instance = env.getMethod("getInstance").invoke(null);
                isUseOneDnn = env.getMethod("isUseONEDNN");
            } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
                // no CPU backend on the class path (CUDA build): oneDNN is not in use
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("ND4J's CPU environment failed to load", e.getCause());
            }
            INSTANCE = instance;
            IS_USE_ONEDNN = isUseOneDnn;
        }

        private CpuEnvironment() {
        }
    }
}
