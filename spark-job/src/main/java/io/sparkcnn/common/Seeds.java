package io.sparkcnn.common;

/**
 * Seed derivation shared by everything that must draw the same random numbers wherever it runs (augmentation
 * on the executors, dropout masks per minibatch): SplitMix64's finalizer, a bijection on 64-bit values that
 * spreads nearby inputs (seed + 1, seed + 2, ...) over unrelated seeds.
 */
public final class Seeds {
    private Seeds() {
    }

    /** SplitMix64's output function applied to {@code z}. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
